// A C face for CLD2 (Chrome's Compact Language Detector 2, Debian's libcld2-dev), which is C++.
#ifndef VOX_CLD2_H
#define VOX_CLD2_H

#ifdef __cplusplus
extern "C" {
#endif

/// What CLD2 made of one text.
typedef struct {
    /// The top language's code (ISO 639-1 where there is one: `en`, `pt`, `zh-Hant`; `un` when unknown), NUL-ended.
    char code[16];
    /// The share of the text's letters in that language, 0–100.
    int percent;
    /// CLD2's normalised score of the top language (its evidence per kilobyte of text; higher is surer).
    double score;
    /// Non-zero when CLD2 calls the result reliable (clearly ahead of the second language).
    int reliable;
    /// Letters CLD2 scored (markup, digits, punctuation and symbols are not counted).
    int text_bytes;
    /// The number of leading bytes that are valid UTF-8 (the text's length when all of it is).
    int valid_prefix;
} vox_cld2_result;

/// Detects the language of `length` bytes of plain UTF-8 text. Thread-safe; never fails (invalid UTF-8 gives
/// `un` with `valid_prefix` short of `length`).
void vox_cld2_detect(const char *text, int length, vox_cld2_result *result);

#ifdef __cplusplus
}
#endif

#endif
