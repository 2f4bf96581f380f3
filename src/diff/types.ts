/** The resource-level diff between the deployed template (baseline) and the new one. Types only. */
import type { Resource } from '../model/template';
import type { Value } from '../model/values';
import type { PathSegment } from '../types';
import type { Behaviour } from './update-behaviour';

/** A change of a property whose update is not a plain in-place update (or whose outcome is not known). */
export interface PropertyChange {
  /** Top-level property name. */
  readonly property: string;
  /** Nested path below the property, when the specification lists a nested create-only field. */
  readonly subPath?: readonly string[];
  /** Path below the new resource's node to point at (the property, or `Properties` when it was removed). */
  readonly path: readonly PathSegment[];
  /** Path below the baseline resource's node. */
  readonly baselinePath: readonly PathSegment[];
  readonly behaviour: Behaviour;
  /** Where the verdict comes from. */
  readonly source: 'specification' | 'curated' | 'cloudformation-diff';
  /** Curated explanation (why the change cannot be applied, or how the condition was decided). */
  readonly note?: string;
  /** A curated event: a read replica promoted, or an RDS restore from a snapshot. */
  readonly event?: 'promotion' | 'snapshot-restore';
  /**
   * changed: the value differs. textual: only the template text differs (absent versus the documented default,
   * or an equivalent identifier). unknown: either value is unknown (`why`).
   */
  readonly status: 'changed' | 'textual' | 'unknown';
  readonly why?: string;
  /** For textual changes: why the values are equivalent. */
  readonly textual?: string;
  /** Values for messages, secrets masked as ****. */
  readonly old: string;
  readonly new: string;
  readonly oldValue: Value;
  readonly newValue: Value;
}

/** A resource with the same logical id and type in both templates, existing in both. */
export interface ResourcePair {
  readonly logicalId: string;
  readonly type: string;
  readonly old: Resource;
  readonly new: Resource;
  /** Changes of properties that are not in-place updates, including unknown outcomes. */
  readonly changes: readonly PropertyChange[];
}

/** A resource that this update replaces. */
export interface Replacement {
  readonly logicalId: string;
  readonly pair: ResourcePair;
  /** Its own Replacement changes; empty when it is replaced only through the cascade. */
  readonly causes: readonly PropertyChange[];
  /** Cascade: the property that refers to a replaced resource, and that resource. */
  readonly via?: { readonly property: string; readonly target: string };
  /** The replaced VPC whose replacement moves this resource (cascade through VpcId), if any. */
  readonly vpcMove?: string;
}

/** A data store that cannot follow a cascade (for example a database whose subnets move to a new VPC). */
export interface Stranded {
  readonly logicalId: string;
  readonly reason: string;
}

/** Replacement of a resource and everything that must be replaced with it (catalog 2.5.2). */
export interface Cascade {
  readonly anchor: string;
  /** Dependents replaced with the anchor, in order of discovery. */
  readonly replaced: readonly string[];
  readonly stranded: readonly Stranded[];
}

/** A resource that disappears under one logical id and reappears under another (catalog 2.5.3 event 3). */
export interface Rename {
  readonly old: Resource;
  readonly new: Resource;
  /** Identity: the same explicit name, or at least 80% equal top-level properties. */
  readonly by: 'name' | 'similarity';
  readonly similarity: number;
}

export interface TypeChange {
  readonly logicalId: string;
  readonly old: Resource;
  readonly new: Resource;
}

export interface DiffUnknown {
  readonly logicalId: string;
  readonly side: 'baseline' | 'new';
  readonly path: readonly PathSegment[];
  readonly why: string;
}

export interface TemplateDiff {
  readonly pairs: ReadonlyMap<string, ResourcePair>;
  /** Every replaced resource (own change or cascade), by logical id. */
  readonly replacements: ReadonlyMap<string, Replacement>;
  /** Cascades by anchor (only anchors whose replacement forces other replacements or strands data). */
  readonly cascades: ReadonlyMap<string, Cascade>;
  readonly typeChanges: readonly TypeChange[];
  readonly renames: readonly Rename[];
  /** Baseline resources that are deleted (absent from the new template, or its Condition is false there). */
  readonly removals: readonly Resource[];
  readonly additions: readonly Resource[];
  /** Resources whose existence or identity could not be decided. */
  readonly unknowns: readonly DiffUnknown[];
  /** Compare one top-level property of a pair (for example the name property), secrets masked. */
  compare(pair: ResourcePair, property: string): { status: 'same' | 'changed' | 'textual' | 'unknown'; why?: string };
  /** Display a top-level property value of a resource of either side, secrets masked. */
  show(side: 'baseline' | 'new', resource: Resource, property: string): string;
}
