import { CONFIG_DIRS } from "../contract/configDirs";

/** Where the admin password file is mounted inside the container (read through `GF_..._PASSWORD__FILE`). */
export const GRAFANA_PATHS = {
  data: "/var/lib/grafana",
  secretsDir: CONFIG_DIRS.grafana.container,
  adminPasswordFile: "/etc/grafana/secrets/admin-password",
} as const;
