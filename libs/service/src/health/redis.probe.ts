import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@ledger/config';

/** A lazily opened connection used only to answer health checks. */
@Injectable()
export class RedisProbe implements OnModuleDestroy {
  private client?: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async ping(): Promise<Record<string, unknown>> {
    if (!this.config.redisUrl) return { configured: false };
    this.client ??= new Redis(this.config.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    // Failures reach the caller through ping(); without a listener ioredis prints each one.
    this.client.on('error', () => undefined);
    if (this.client.status === 'wait') await this.client.connect();
    return { reply: await this.client.ping() };
  }

  async onModuleDestroy(): Promise<void> {
    this.client?.disconnect();
  }
}
