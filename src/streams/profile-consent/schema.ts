import { readRecordSchema } from '../record-schema.js';

export const STREAM_NAME = 'profile_consent';
export const PRIMARY_KEY = [['id']];
export const CURSOR_FIELD = ['updated'];

export const recordSchema = readRecordSchema('schemas/profile_consent.json');
