/** Alertmanager's files on the host: its configuration, the notification templates, and one file per secret. */
import type { FileRenderer } from "../render/types";
import { secretFilePath } from "./paths";
import { alertmanagerSecrets, alertmanagerYaml } from "./routing";
import { notificationTemplates } from "./templates";

export const renderAlertmanagerFiles: FileRenderer = (settings, secrets) => [
  { path: "alertmanager/alertmanager.yml", content: alertmanagerYaml(settings) },
  { path: "alertmanager/templates/koprogo.tmpl", content: notificationTemplates() },
  ...alertmanagerSecrets(settings).map((name) => ({
    path: secretFilePath(name).rendered,
    content: secrets[name] ?? "",
    secret: true,
  })),
];
