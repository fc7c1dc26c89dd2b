/** Nest injection token for the `SqlDatabase` every module shares. */
export const SQL_DATABASE = Symbol('SQL_DATABASE');
