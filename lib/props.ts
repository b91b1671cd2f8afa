import { Token } from 'aws-cdk-lib';
import { namesWhere, readSettings } from '../lambda/settings.js';

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

/** A construct's plain props, checked and defaulted by lambda/settings.ts; a token passes as is. */
export function readProps<C extends 'receiver' | 'monitoring'>(construct: C, props: object) {
  const raw = props as Record<string, unknown>;
  return readSettings(
    namesWhere({ prop: construct }),
    (name) => raw[name],
    undefined,
    (value) => Token.isUnresolved(value),
  );
}
