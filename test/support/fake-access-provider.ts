/**
 * An in-memory AccessProvider: what a grant kind's service would hold, kept in a map, with the
 * failures a test scripts ahead (`failNext`). Put in place with `useProviders` (lib/cloud/providers),
 * it lets a test drive the use cases' retry and failure branches without Entra ID or ARM.
 */
import type {
  AccessProvider,
  Binding,
  CurrentAssignment,
  GrantState,
  GrantTarget,
  GrantWindow,
  ProviderError,
  ProviderResult,
} from "@/lib/cloud/access-provider";
import type { Grant } from "@/lib/config/catalog-schema";
import { bindingKey } from "@/lib/access/grant-ledger";

type Operation = "apply" | "extend" | "remove" | "read" | "list";

export interface FakeCall {
  operation: Operation;
  principalId?: string;
  binding: string;
  endAt?: Date;
}

export class FakeAccessProvider implements AccessProvider {
  /** what the service holds: binding key → principal id → end */
  readonly held = new Map<string, Map<string, Date>>();
  readonly calls: FakeCall[] = [];
  private readonly failures: Array<{ operation: Operation; error: ProviderError }> = [];
  private issued = 0;

  constructor(readonly kind: Grant["kind"]) {}

  /** The next `times` calls of `operation` fail with `error`, before changing anything. */
  failNext(operation: Operation, error: ProviderError, times = 1) {
    for (let i = 0; i < times; i++) this.failures.push({ operation, error });
  }

  /** The bindings on which this person holds access now. */
  bindingsHeldBy(principalId: string): string[] {
    return [...this.held].filter(([, holders]) => holders.has(principalId)).map(([key]) => key);
  }

  async apply(target: GrantTarget, window: GrantWindow): Promise<ProviderResult> {
    this.begin("apply", target, window.endAt);
    const holders = this.bindingOf(target);
    const current = holders.get(target.principalId);
    // Like the services: applying what is there succeeds, and a shorter window never shortens it.
    if (!current || current < window.endAt) holders.set(target.principalId, window.endAt);
    return { providerRequestId: `fake-${this.kind}-${++this.issued}`, enforcedEndAt: null };
  }

  async extend(target: GrantTarget, window: GrantWindow): Promise<ProviderResult> {
    this.begin("extend", target, window.endAt);
    this.bindingOf(target).set(target.principalId, window.endAt);
    return { providerRequestId: `fake-${this.kind}-${++this.issued}`, enforcedEndAt: null };
  }

  async remove(target: GrantTarget): Promise<ProviderResult> {
    this.begin("remove", target);
    this.bindingOf(target).delete(target.principalId);
    return { enforcedEndAt: null };
  }

  async read(target: GrantTarget): Promise<GrantState> {
    this.begin("read", target);
    const endAt = this.bindingOf(target).get(target.principalId);
    return endAt ? { isActive: true, endAt } : { isActive: false };
  }

  async list(binding: Binding): Promise<CurrentAssignment[]> {
    this.begin("list", binding);
    return [...this.bindingOf(binding)].map(([principalId, endAt]) => ({ principalId, endAt }));
  }

  private bindingOf(target: Binding) {
    const key = bindingKey(target);
    if (!this.held.has(key)) this.held.set(key, new Map());
    return this.held.get(key)!;
  }

  private begin(operation: Operation, target: Binding | GrantTarget, endAt?: Date) {
    const principalId = "principalId" in target ? target.principalId : undefined;
    this.calls.push({ operation, principalId, binding: bindingKey(target), endAt });
    const index = this.failures.findIndex((f) => f.operation === operation);
    if (index !== -1) throw this.failures.splice(index, 1)[0]!.error;
  }
}

/** One fake per grant kind, to pass to `useProviders`. */
export function fakeProviders() {
  return {
    entraPimGroup: new FakeAccessProvider("entraPimGroup"),
    entraGroup: new FakeAccessProvider("entraGroup"),
    armPim: new FakeAccessProvider("armPim"),
    armRoleAssignment: new FakeAccessProvider("armRoleAssignment"),
  };
}
