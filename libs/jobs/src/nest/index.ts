export * from './dead-letters.module';
export * from './dead-letter.messages';
export * from './dead-letter.handlers';
