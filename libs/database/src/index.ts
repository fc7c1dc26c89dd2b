export * from './sql-database.port';
export * from './pg.database';
export * from './pglite.database';
export * from './migrator';
export * from './tokens';
