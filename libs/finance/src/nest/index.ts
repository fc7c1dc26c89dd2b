export * from './finance.module';
export * from './finance.messages';
export * from './finance.handlers';
export * from './finance-adjustments.service';
