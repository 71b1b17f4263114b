// The only file that sees CLD2's C++ API: it calls the detector and copies out plain values. Best effort: CLD2
// names its best guess where it would otherwise say "unknown" (short posts, much plain Arabic); the caller decides
// how little text is too little, and `reliable` still says how sure CLD2 is.
#include "VoxCld2.h"

#include <cstdio>
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include <cstring>

extern "C" void vox_cld2_detect(const char *text, int length, vox_cld2_result *result) {
    CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
    CLD2::Language top3[3];
    int percent3[3] = {0, 0, 0};
    double scores3[3] = {0, 0, 0};
    int textBytes = 0;
    bool reliable = false;
    int validPrefix = 0;
    CLD2::Language language = CLD2::UNKNOWN_LANGUAGE;
    if (text != nullptr && length > 0) {
        language = CLD2::ExtDetectLanguageSummaryCheckUTF8(
            text, length, true, &hints, CLD2::kCLDFlagBestEffort, top3, percent3, scores3, nullptr, &textBytes, &reliable, &validPrefix);
    }
    const char *code = CLD2::LanguageCode(language);
    std::memset(result->code, 0, sizeof result->code);
    if (code != nullptr) std::strncpy(result->code, code, sizeof result->code - 1);
    result->percent = percent3[0];
    result->score = scores3[0];
    result->reliable = reliable ? 1 : 0;
    result->text_bytes = textBytes;
    result->valid_prefix = length > 0 ? validPrefix : 0;
}
