import {
  type ContextSettingName,
  type ResolvedValue,
  SETTING_NAMES,
  SETTINGS,
  type Setting,
  type Settings,
  SettingsReader,
} from '../config/settings.js';
import { isInZone } from './props.js';

/** The stack's settings, read from CDK context (`cdk.json` or `-c key=value`): config/settings.ts. */
export type StackSettings = {
  readonly [N in ContextSettingName]: ResolvedValue<Settings[N]>;
};

export class InvalidContextError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid CDK context:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidContextError';
  }
}

/**
 * Reads and validates the context at synth, so that a typo fails `cdk synth` with a message
 * naming the key rather than deploying a stack that refuses every callback.
 */
export function readStackSettings(
  tryGetContext: (key: string) => unknown,
  /** Every key given (`app.node.getAllContext()`): a misspelt one is refused, not ignored. */
  givenKeys: readonly string[] = [],
): StackSettings {
  const reader = new SettingsReader((setting) => setting.context ?? '');
  const values: Record<string, unknown> = {};
  const known = new Map<string, string>();
  for (const name of SETTING_NAMES) {
    const setting: Setting = SETTINGS[name];
    if (setting.context !== undefined) {
      values[name] = reader.read(name, tryGetContext(setting.context));
      known.set(setting.context.toLowerCase(), setting.context);
    }
  }
  // Keys with a colon are the CDK's own (feature flags, aws:cdk:*).
  const unknown = givenKeys
    .filter((key) => !key.includes(':') && !known.has(key.toLowerCase()))
    .map((key) => `${key} is not a context key of this stack (README: Configuration)`);
  const misspelt = givenKeys
    .filter((key) => known.has(key.toLowerCase()) && known.get(key.toLowerCase()) !== key)
    .map(
      (key) =>
        `${key} is not a context key of this stack: did you mean ${known.get(key.toLowerCase())}?`,
    );
  const settings = values as StackSettings;
  // A refused value reads as unset: checked together, it would also be reported as missing.
  const together = reader.problems.length === 0 ? domainProblems(settings) : [];
  const problems = [...unknown, ...misspelt, ...reader.problems, ...together];
  if (problems.length > 0) throw new InvalidContextError(problems);
  return settings;
}

/** The custom domain's keys only work together. */
function domainProblems(settings: StackSettings): string[] {
  const { domainName, certificateArn, hostedZoneId, hostedZoneName } = settings;
  const problems: string[] = [];
  if ((domainName === undefined) !== (certificateArn === undefined)) {
    problems.push('domainName and certificateArn must be set together');
  }
  if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
    problems.push('hostedZoneId and hostedZoneName must be set together');
  }
  if (hostedZoneId !== undefined && domainName === undefined) {
    problems.push('hostedZoneId needs domainName');
  }
  if (settings.keepExecuteApiEndpoint && domainName === undefined) {
    problems.push('keepExecuteApiEndpoint needs domainName');
  }
  if (
    domainName !== undefined &&
    hostedZoneName !== undefined &&
    !isInZone(domainName, hostedZoneName)
  ) {
    problems.push(
      `domainName "${domainName}" is not in the zone hostedZoneName "${hostedZoneName}"`,
    );
  }
  return problems;
}
