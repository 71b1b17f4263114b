// The data files `vox` needs at run time, compiled into the executable with C23 `#embed` (clang records them as
// dependencies, so a changed file rebuilds this one): an installed or copied binary needs no resource folder.
#include "VoxAssets.h"

static const unsigned char fast_card[] = {
#embed "../../Models/default/MODEL_CARD.md"
};
static const unsigned char fast_model[] = {
#embed "../../Models/default/vox-model.json"
};
static const unsigned char fast_weights[] = {
#embed "../../Models/default/weights.safetensors"
};
static const unsigned char multilingual_card[] = {
#embed "../../Models/multilingual/MODEL_CARD.md"
};
static const unsigned char multilingual_model[] = {
#embed "../../Models/multilingual/vox-model.json"
};
static const unsigned char multilingual_weights[] = {
#embed "../../Models/multilingual/weights.safetensors"
};
static const unsigned char language_id[] = {
#embed "../../Models/language-id/ngrams.bin"
};
static const unsigned char sample_feed[] = {
#embed "../../Samples/Data/sample-feed.jsonl.gz"
};
static const unsigned char sample_watch[] = {
#embed "../../Samples/Data/watch.yaml"
};

#define ASSET(path, array) {path, array, sizeof array}

static const vox_asset assets[] = {
    ASSET("default/MODEL_CARD.md", fast_card),
    ASSET("default/vox-model.json", fast_model),
    ASSET("default/weights.safetensors", fast_weights),
    ASSET("multilingual/MODEL_CARD.md", multilingual_card),
    ASSET("multilingual/vox-model.json", multilingual_model),
    ASSET("multilingual/weights.safetensors", multilingual_weights),
    ASSET("language-id/ngrams.bin", language_id),
    ASSET("samples/sample-feed.jsonl.gz", sample_feed),
    ASSET("samples/watch.yaml", sample_watch),
};

const vox_asset *vox_assets(size_t *count) {
    *count = sizeof assets / sizeof assets[0];
    return assets;
}
