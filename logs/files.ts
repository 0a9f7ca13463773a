/** Loki's and Alloy's files on the host. Neither holds a secret: Loki is reached inside the Docker network without credentials. */
import type { FileRenderer } from "../render/types";
import { alloyConfigText } from "./alloy";
import { lokiYaml } from "./loki";

export const renderLogFiles: FileRenderer = (settings) => [
  { path: "loki/loki.yaml", content: lokiYaml(settings) },
  { path: "alloy/config.alloy", content: alloyConfigText(settings) },
];
