/**
 * Resource options the Pulumi mocks do not pass to `newResource` (retainOnDelete, protect), read from the
 * registration request itself, so tests can check that data volumes survive a `pulumi destroy`.
 */
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

export interface RecordedOptions {
  readonly type: string;
  readonly name: string;
  readonly retainOnDelete: boolean;
  readonly protect: boolean;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getRetainondelete(): boolean;
  getProtect(): boolean;
}

/** Starts recording; call before the program is declared. Returns the live list. */
export function recordResourceOptions(): RecordedOptions[] {
  const recorded: RecordedOptions[] = [];
  const prototype = MockMonitor.prototype as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): Promise<void>;
  };
  const original = prototype.registerResource;
  prototype.registerResource = function (this: unknown, req: RegisterRequest, callback: unknown) {
    recorded.push({
      type: req.getType(),
      name: req.getName(),
      retainOnDelete: req.getRetainondelete(),
      protect: req.getProtect(),
    });
    return original.call(this, req, callback);
  };
  return recorded;
}
