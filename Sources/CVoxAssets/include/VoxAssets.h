#ifndef VOX_ASSETS_H
#define VOX_ASSETS_H

#include <stddef.h>

/// One file compiled into the binary: its path under the asset tree (`default/weights.safetensors`), its bytes.
typedef struct {
    const char *path;
    const unsigned char *bytes;
    size_t count;
} vox_asset;

/// The files compiled into the binary (the bundled models' heads, the sample feed and watch file), and their number.
const vox_asset *vox_assets(size_t *count);

#endif
