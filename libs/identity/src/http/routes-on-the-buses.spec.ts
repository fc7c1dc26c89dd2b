import 'reflect-metadata';
import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants';
import { AuthService } from '../auth/auth.service';
import { IDENTITY_CONFIG } from '../identity.config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { randomBytes } from 'node:crypto';
import { IdentityModule } from '../identity.module';
import { AuthController } from './auth.controller';

/**
 * The identity routes reach the write side through the CommandBus and the
 * read side through the QueryBus, never a service directly: a controller's
 * constructor takes the buses and the identity configuration (for cookies),
 * nothing else.
 */
const ALLOWED: readonly unknown[] = [CommandBus, QueryBus, IDENTITY_CONFIG];

type Constructor = new (...args: never[]) => unknown;

/** Every controller the module serves, so a new one is checked too. */
const CONTROLLERS = (IdentityModule.forRoot({
  env: {
    LEDGER_JWT_SECRET: randomBytes(32).toString('hex'),
    LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64'),
  },
}).controllers ?? []) as Constructor[];

/** What each constructor parameter is injected by: its `@Inject` token, else its class. */
function dependencies(controller: Constructor): unknown[] {
  const types = (Reflect.getMetadata('design:paramtypes', controller) ?? []) as unknown[];
  const tokens = (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, controller) ?? []) as Array<{
    index: number;
    param: unknown;
  }>;
  return types.map((type, index) => tokens.find((t) => t.index === index)?.param ?? type);
}

function directDependencies(controller: Constructor): string[] {
  return dependencies(controller)
    .filter((dependency) => !ALLOWED.includes(dependency))
    .map((dependency) => (typeof dependency === 'function' ? dependency.name : String(dependency)));
}

describe('identity routes on the buses', () => {
  it('checks every identity controller', () => {
    expect(CONTROLLERS).toContain(AuthController);
  });

  it.each(CONTROLLERS.map((controller) => [controller.name, controller] as const))(
    '%s takes the buses, no service',
    (_, controller) => {
      expect(dependencies(controller)).toContain(CommandBus);
      expect(directDependencies(controller)).toEqual([]);
    },
  );

  it('names what a controller injects besides the buses', () => {
    @Controller('planted')
    class PlantedController {
      constructor(
        readonly commands: CommandBus,
        readonly auth: AuthService,
        @Inject(SQL_DATABASE) readonly db: SqlDatabase,
      ) {}
    }
    expect(directDependencies(PlantedController)).toEqual(['AuthService', String(SQL_DATABASE)]);
  });
});
