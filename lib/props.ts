import { Token } from 'aws-cdk-lib/core';
import { type NamesWhere, namesWhere, readSettings } from '../lambda/settings.js';

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

/** A construct's props that are not settings (constructs): the compiler holds the list complete. */
export type OtherProps<P, C extends 'receiver' | 'monitoring'> = Record<
  Exclude<keyof P, NamesWhere<{ prop: C }>>,
  true
>;

/** A problem for each key not `known`, naming the one a wrongly cased key meant. */
export function unknownKeys(keys: string[], known: readonly string[], what: string, hint = '') {
  return keys
    .filter((key) => !known.includes(key))
    .map((key) => {
      const meant = known.find((name) => name.toLowerCase() === key.toLowerCase());
      return `${key} is not ${what}${meant === undefined ? hint : `: did you mean ${meant}?`}`;
    });
}

/** A construct's plain props, checked and defaulted by lambda/settings.ts; a token passes as is. A key
 * that is no prop is a problem: in a JavaScript app, `zegoAppID` would otherwise mean "any AppID". */
export function readProps<P extends object, C extends 'receiver' | 'monitoring'>(
  construct: C,
  props: P,
  others: OtherProps<P, C>,
) {
  const raw = props as Record<string, unknown>;
  const names = namesWhere({ prop: construct });
  const read = readSettings(names, (name) => raw[name], undefined, Token.isUnresolved);
  const unknown = unknownKeys(Object.keys(raw), [...names, ...Object.keys(others)], 'a prop');
  return { values: read.values, problems: [...unknown, ...read.problems] };
}
