export const CODEC_SERVICE = 'codec';
export const CODEC_DEFAULT_PORT = 3001;
/** Where renditions are written; readiness fails when its disk is full. */
export const CODEC_MEDIA_DIR_KEY = 'CODEC_MEDIA_DIR';
