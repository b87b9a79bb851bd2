import { readRecordSchema } from '../record-schema.js';

export const STREAM_NAME = 'consent_events';
export const PRIMARY_KEY = [['id']];
export const CURSOR_FIELD = ['datetime'];

export const recordSchema = readRecordSchema('schemas/consent_events.json');
