/**
 * The policy pack run by `pulumi preview|up --policy-pack policy` (locally and in CI): every policy is mandatory,
 * so a violation stops the operation before anything changes.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("koprogo-observability", { enforcementLevel: "mandatory", policies: POLICIES });
