/**
 * Read-model tables live in one schema so that a rebuild can build a copy
 * beside them and swap it in by renaming schemas. Queries always name the
 * live schema; projectors are told which schema to write.
 */
export const LIVE_SCHEMA = 'read_models';
export const REBUILD_SCHEMA = 'rm_rebuild';
export const RETIRED_SCHEMA = 'rm_retired';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export class InvalidSchemaName extends Error {
  override readonly name = 'InvalidSchemaName';
  constructor(readonly schema: string) {
    super(`Not a plain lower-case SQL identifier: ${JSON.stringify(schema)}`);
  }
}

/** Schema names are spliced into SQL, so only plain identifiers pass. */
export function checkedSchema(schema: string): string {
  if (!IDENTIFIER.test(schema)) throw new InvalidSchemaName(schema);
  return schema;
}
