import { Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig, isLoopbackHost, type Environment } from '@tongban/config';
import { AuthGuard } from './auth.guard';
import { AUTH_SETTINGS, authSettingsFrom, type AuthSettings } from './auth-settings';
import { DEV_TOKEN_SIGNER, DevLoginController } from './dev/dev-login.controller';
import { DevUsers } from './dev/dev-users';
import { createTokenSigner } from './token-signer';
import { TokenVerifier } from './token-verifier';
import { WhoAmIController } from './who-am-i.controller';

export interface SecurityOptions {
  /** The same overrides the deployable gives the config module (standalone sets AUTH_MODE=dev). */
  readonly overrides?: Readonly<Partial<Record<keyof Environment, string>>>;
}

/**
 * Authentication and authorisation for every deployable: the global `AuthGuard`, the token
 * verifier, `GET /api/v1/auth/me`, and in dev mode the dev login. Imported by
 * TongbanPlatformModule; needs the global `AppConfig`.
 */
@Module({})
export class TongbanSecurityModule {
  static forRoot(options: SecurityOptions = {}): DynamicModule {
    // Controllers are fixed when the module is declared, before AppConfig exists, so the mode is
    // read from the same inputs the config module validates. A bad value makes that validation
    // fail; only the exact string `dev` registers the dev login.
    const devLogin = { ...process.env, ...options.overrides }['AUTH_MODE'] === 'dev';
    const providers: Provider[] = [
      {
        provide: AUTH_SETTINGS,
        inject: [AppConfig],
        useFactory: (config: AppConfig): AuthSettings => {
          const settings = authSettingsFrom(config.env);
          const logger = new Logger('Authentication');
          // Config validation has refused a dev login on a non-loopback host without the setting,
          // and the setting itself in production; what is left was asked for, and is said loudly.
          if (settings.mode === 'dev' && config.env.DEV_LOGIN_ALLOW_REMOTE) {
            const host = config.env.HTTP_HOST;
            logger.warn(
              `DEV LOGIN OPEN TO THE NETWORK: DEV_LOGIN_ALLOW_REMOTE=true with AUTH_MODE=dev on HTTP_HOST=${host}` +
                (isLoopbackHost(host) ? ' (a loopback address for now)' : '') +
                ': anyone who can reach this port can take a token for any demo user, admin included. ' +
                'Never use it with real data; unset DEV_LOGIN_ALLOW_REMOTE to serve the dev login on loopback only',
            );
          }
          if (settings.key.kind === 'secret' && settings.key.ephemeral) {
            logger.warn(
              'AUTH_MODE=dev without AUTH_JWT_SECRET: dev tokens are signed with a random secret made at ' +
                'start-up, so they stop working when this process exits',
            );
          }
          return settings;
        },
      },
      {
        provide: TokenVerifier,
        inject: [AUTH_SETTINGS],
        useFactory: (settings: AuthSettings) => TokenVerifier.create(settings),
      },
      { provide: APP_GUARD, useClass: AuthGuard },
      DevUsers,
    ];
    if (devLogin) {
      providers.push({
        provide: DEV_TOKEN_SIGNER,
        inject: [AUTH_SETTINGS],
        useFactory: (settings: AuthSettings) => {
          if (settings.mode !== 'dev' || settings.key.kind !== 'secret') {
            throw new Error('the dev login needs AUTH_MODE=dev');
          }
          return createTokenSigner({
            secret: settings.key.secret,
            issuer: settings.issuer,
            audience: settings.audience,
          });
        },
      });
    }
    return {
      module: TongbanSecurityModule,
      // Global: the applications' modules register where the dev login's people come from
      // (DevUsers) without importing the platform's security module themselves.
      global: true,
      controllers: devLogin ? [WhoAmIController, DevLoginController] : [WhoAmIController],
      providers,
      exports: [AUTH_SETTINGS, TokenVerifier, DevUsers],
    };
  }
}
