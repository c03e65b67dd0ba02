/**
 * A file path in the gateway configuration: relative ones are resolved against the configuration
 * file's folder by the loader (load.ts finds every field marked this way, so a new path key cannot be
 * forgotten). `except` names values that are not paths (audit's "stdout").
 */
import { z } from 'zod';

export const FILE_PATH_META = 'kgwFilePath';

export const filePath = (except: string[] = []) => z.string().meta({ [FILE_PATH_META]: { except } });
