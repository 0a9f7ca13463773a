/**
 * The five dashboards, keyed as in the contract (`DASHBOARDS`). The renderer writes them as
 * `grafana/dashboards/<uid>.json`; the Grafana component declares one provider resource per dashboard from the
 * same JSON, so a change to one dashboard is an update of that one alone.
 */
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { DASHBOARDS, type DashboardKey } from "../contract/dashboards";
import type { Settings } from "../settings";
import { apiOverviewDashboard } from "./apiOverview";
import { businessDashboard } from "./business";
import { postgresqlDashboard } from "./postgresql";
import { securityEventsDashboard } from "./securityEvents";
import { systemHealthDashboard } from "./systemHealth";

/** The folder the dashboards live in; a fixed UID so renaming it never moves or recreates a dashboard. */
export const DASHBOARD_FOLDER = { uid: "koprogo", title: "KoproGo" } as const;

const BUILDERS: Readonly<Record<DashboardKey, (settings: Settings) => Dashboard>> = {
  apiOverview: apiOverviewDashboard,
  systemHealth: systemHealthDashboard,
  postgresql: postgresqlDashboard,
  business: businessDashboard,
  securityEvents: securityEventsDashboard,
};

export interface BuiltDashboard {
  readonly key: DashboardKey;
  readonly uid: string;
  readonly model: Dashboard;
  /** The model as Grafana's API and the rendered file take it. */
  readonly json: string;
}

export function buildDashboards(settings: Settings): BuiltDashboard[] {
  return (Object.keys(BUILDERS) as DashboardKey[]).map((key) => {
    const model = BUILDERS[key](settings);
    if (model.uid !== DASHBOARDS[key].uid)
      throw new Error(`dashboard ${key} has uid \`${model.uid}\`, the contract says \`${DASHBOARDS[key].uid}\``);
    return { key, uid: DASHBOARDS[key].uid, model, json: `${JSON.stringify(model, null, 2)}\n` };
  });
}
