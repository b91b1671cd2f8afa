import { Token } from 'aws-cdk-lib';
import {
  type PropSettingName,
  type ResolvedValue,
  SETTING_NAMES,
  SETTINGS,
  type Setting,
  type SettingScope,
  type Settings,
  SettingsReader,
} from '../config/settings.js';

/** A construct's props that cannot work, each named; thrown in the constructor, so at synth. */
export class InvalidPropsError extends Error {
  constructor(
    construct: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${construct} props:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidPropsError';
  }
}

export type PropValues<S extends SettingScope> = {
  readonly [N in PropSettingName<S>]: ResolvedValue<Settings[N]>;
};

/**
 * Validates a construct's plain props against config/settings.ts and fills in their defaults.
 * A token (a CloudFormation parameter, say) is only known at deploy time: passed through as is.
 */
export function readProps<S extends SettingScope>(
  construct: string,
  scope: S,
  props: object,
  extraProblems: (values: PropValues<S>) => string[] = () => [],
): PropValues<S> {
  const reader = new SettingsReader((setting) => setting.prop ?? '');
  const values: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const setting: Setting = SETTINGS[name];
    if (setting.scope !== scope || setting.prop === undefined) continue;
    const raw = setting.prop
      .split('.')
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], props);
    values[name] = Token.isUnresolved(raw) ? raw : reader.read(name, raw);
  }
  const typed = values as PropValues<S>;
  const problems = [...reader.problems, ...extraProblems(typed)];
  if (problems.length > 0) throw new InvalidPropsError(construct, problems);
  return typed;
}

/** Whether a host name is in a DNS zone (the zone itself or below it). */
export function isInZone(domainName: string, zoneName: string): boolean {
  const zone = zoneName.replace(/\.$/, '').toLowerCase();
  return domainName === zone || domainName.endsWith(`.${zone}`);
}
