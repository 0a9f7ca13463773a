/**
 * The API Overview's service level objectives: for availability and latency, the error budget left over the
 * period and the burn rate per window, the series the error-budget alerts read (alerts/rules/slo.ts), with their
 * paging and ticket factors drawn as thresholds.
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { SELECTORS } from "../alerts/config";
import { apiSlos, burnRateFactor, PAGE_PAIRS, TICKET_PAIRS, type ApiSlo } from "../alerts/rules/slo";
import { SLO_PERIOD_RATIOS, SLO_WINDOWS } from "../contract/recordingRules";
import type { Settings } from "../settings";
import { prometheusQuery, row, statPanel, thresholds, timeseriesWithThreshold, type Section } from "./common";

const API = SELECTORS.api;
/** Grafana's custom unit: the number followed by `×`. */
const TIMES = "suffix:×";

const titleOf = (slo: ApiSlo) => (slo.key === "availability" ? "Availability" : "Latency");

/** Green while the budget lasts, yellow under a quarter left, red once spent. */
function budgetLeft(slo: ApiSlo, windowDays: number) {
  return statPanel(
    `${titleOf(slo)} budget left (${windowDays} d)`,
    units.PercentUnit,
    6,
    thresholds("red", [
      { value: 0, color: "yellow" },
      { value: 0.25, color: "green" },
    ]),
  )
    .withTarget(prometheusQuery(`1 - ${SLO_PERIOD_RATIOS[slo.key]}{${API}} / ${slo.budget}`, "budget left"))
    .description(
      `The share of the ${slo.statement}'s budget (${slo.budget * 100} % of requests) not spent over the last ${windowDays} days: 1 − the mean hourly share of ${slo.bad} ÷ the budget.`,
    );
}

/** The bad share ÷ the budget over every window the alerts pair, with the ticket and page factors. */
function burnRates(slo: ApiSlo, windowDays: number) {
  const ticket = burnRateFactor(TICKET_PAIRS[0], windowDays);
  const page = burnRateFactor(PAGE_PAIRS[0], windowDays);
  const panel = timeseriesWithThreshold(
    `${titleOf(slo)} burn rate per window`,
    TIMES,
    thresholds("green", [
      { value: ticket, color: "yellow" },
      { value: page, color: "red" },
    ]),
    9,
  ).description(
    `${slo.bad} ÷ the budget over each window: 1× spends the budget in exactly ${windowDays} days. \`${slo.alertPrefix}Fast\` pages above ${page}× over 1h and 5m (or ${burnRateFactor(PAGE_PAIRS[1], windowDays)}× over 6h and 30m); \`${slo.alertPrefix}Slow\` opens a ticket above ${ticket}× over 1d and 2h (or ${burnRateFactor(TICKET_PAIRS[1], windowDays)}× over 3d and 6h).`,
  );
  for (const window of SLO_WINDOWS)
    panel.withTarget(prometheusQuery(`${slo.ratio(window)}{${API}} / ${slo.budget}`, window));
  return panel;
}

export function sloRow(settings: Settings): Section {
  const { windowDays } = settings.alerts.slo;
  const section = row("Service level objectives");
  for (const slo of apiSlos(settings))
    section.withPanel(budgetLeft(slo, windowDays)).withPanel(burnRates(slo, windowDays).span(18));
  return section;
}
