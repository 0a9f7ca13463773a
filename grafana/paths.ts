/** Where the admin password file is mounted inside the container (read through `GF_..._PASSWORD__FILE`). */
export const GRAFANA_PATHS = {
  data: "/var/lib/grafana",
  secretsDir: "/etc/grafana/secrets",
  adminPasswordFile: "/etc/grafana/secrets/admin-password",
} as const;
