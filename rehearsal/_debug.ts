import * as fs from "fs";
import * as path from "path";
import { toolCacheDir } from "../toolchain/cache";
import { RehearsalHost } from "./host";
import { prepareHost } from "./prepare";
(async () => {
  const host = await RehearsalHost.boot(path.join(toolCacheDir(), "rehearsal", "apt-archives"));
  fs.mkdirSync("/tmp/kreh-dbg-keys", { recursive: true });
  prepareHost(host, "/tmp/kreh-dbg-keys", { auth: "/var/log/auth.log", traefikAccess: "/var/log/traefik/access.log", postgres: "/var/log/koprogo/postgresql/postgresql.log" });
  console.log(`PID ${host.pid} NODE ${process.pid}`);
  process.on("SIGTERM", () => { host.shutdown().then(() => process.exit(0)); });
  setInterval(() => undefined, 1000);
})();
