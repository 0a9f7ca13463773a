/**
 * Business Metrics: sign-ups, expenses, on-time payments and active users, on the business metrics contract
 * (`BUSINESS_METRICS`, documented in the README). Counters are summed over the API's instances; the active
 * user gauges are computed from the database, so every instance reports the same value and panels take `max`.
 */
import { GraphDrawStyle } from "@grafana/grafana-foundation-sdk/common";
import * as units from "@grafana/grafana-foundation-sdk/units";
import { BUSINESS_METRICS } from "../contract/backendMetrics";
import { SELECTORS } from "../alerts/config";
import type { Settings } from "../settings";
import { labelVariable, prometheusQuery, row, standardDashboard, statPanel, timeseriesPanel } from "./common";

/** A contract metric's name; throws if the contract no longer has it, so the dashboard cannot drift from it. */
function metric(name: string): string {
  if (!BUSINESS_METRICS.some((m) => m.name === name))
    throw new Error(`business metric \`${name}\` is not in BUSINESS_METRICS`);
  return name;
}

const USERS = metric("koprogo_users_created_total");
const EXPENSES_CREATED = metric("koprogo_expenses_created_total");
const EXPENSES_VALIDATED = metric("koprogo_expenses_validated_total");
const PAYMENTS = metric("koprogo_payments_total");
const ACTIVE_USERS = metric("koprogo_active_users");

const API = `${SELECTORS.api}, instance=~"$instance"`;
const DAU = `max(${ACTIVE_USERS}{${API}, window="1d"})`;
const MAU = `max(${ACTIVE_USERS}{${API}, window="30d"})`;

/** A per-day bar chart: one bar per day, the increase over that day. */
function dailyBars(title: string) {
  return timeseriesPanel(title, units.Short).drawStyle(GraphDrawStyle.Bars).fillOpacity(80).interval("1d");
}

function onTimeRate(range: string): string {
  return `sum(increase(${PAYMENTS}{${API}, on_time="true"}[${range}])) / sum(increase(${PAYMENTS}{${API}}[${range}]))`;
}

function overviewRow() {
  return row("Overview")
    .withPanel(
      statPanel("New users (24h)", units.Short).withTarget(
        prometheusQuery(`sum(increase(${USERS}{${API}}[1d]))`, "new users"),
      ),
    )
    .withPanel(
      statPanel("Expenses created (24h)", units.Short).withTarget(
        prometheusQuery(`sum(increase(${EXPENSES_CREATED}{${API}}[1d]))`, "created"),
      ),
    )
    .withPanel(
      statPanel("On-time payment rate", units.PercentUnit)
        .withTarget(prometheusQuery(onTimeRate("$__range"), "on time"))
        .description("Share of the payments received in the time range that were paid by their due date."),
    )
    .withPanel(
      statPanel("DAU / MAU", units.PercentUnit)
        .withTarget(prometheusQuery(`${DAU} / ${MAU}`, "stickiness"))
        .description("Daily active users over monthly active users: how often monthly users come back."),
    );
}

function activityRow() {
  return row("Activity")
    .withPanel(
      dailyBars("New users per day").withTarget(prometheusQuery(`sum(increase(${USERS}{${API}}[1d]))`, "new users")),
    )
    .withPanel(
      dailyBars("Expenses created / validated per day")
        .withTarget(prometheusQuery(`sum(increase(${EXPENSES_CREATED}{${API}}[1d]))`, "created"))
        .withTarget(prometheusQuery(`sum(increase(${EXPENSES_VALIDATED}{${API}}[1d]))`, "validated")),
    )
    .withPanel(
      timeseriesPanel("On-time payment rate (30 days)", units.PercentUnit)
        .min(0)
        .max(1)
        .withTarget(prometheusQuery(onTimeRate("30d"), "on time")),
    )
    .withPanel(
      dailyBars("Payments per day").withTarget(
        prometheusQuery(`sum by (on_time) (increase(${PAYMENTS}{${API}}[1d]))`, "on_time={{on_time}}"),
      ),
    );
}

function usersRow() {
  return row("Active users")
    .withPanel(
      timeseriesPanel("Daily and monthly active users", units.Short)
        .withTarget(prometheusQuery(DAU, "DAU"))
        .withTarget(prometheusQuery(MAU, "MAU")),
    )
    .withPanel(
      timeseriesPanel("DAU / MAU over time", units.PercentUnit)
        .min(0)
        .max(1)
        .withTarget(prometheusQuery(`${DAU} / ${MAU}`, "DAU/MAU")),
    );
}

export function businessDashboard(settings: Settings) {
  return standardDashboard(settings, "business", {
    description:
      "KoproGo usage: new users per day, expenses created and validated, on-time payment rate, DAU/MAU (the business metrics contract).",
    tags: ["business"],
    // Daily bars and monthly ratios: hours say nothing here.
    from: "now-30d",
    variables: [labelVariable("instance", "API instance", `up{${SELECTORS.api}}`, "instance")],
    rows: [overviewRow(), activityRow(), usersRow()],
  });
}
