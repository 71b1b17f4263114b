"""Golden token ids for Vox's WordPiece tokenizer, from Hugging Face `tokenizers` (PyPI) and the model's own
tokenizer.json. Run once; the output is committed as Tests/VoxModelTests/Fixtures/tokenizer-golden.jsonl.

    python3 -m pip install tokenizers
    python3 Benchmarks/reference/make_tokenizer_golden.py ../shared/data/sentiment/val.jsonl \
        Tests/VoxModelTests/Fixtures/tokenizer.json Tests/VoxModelTests/Fixtures/tokenizer-golden.jsonl
"""
import json
import sys

from tokenizers import Tokenizer

HARD_CASES = [
    "", "   ", "\t\n\r ", "Hello, World!", "I LOVE it!!! 😍😍 #blessed @user http://t.co/abc123?x=1&y=2",
    "Café naïve résumé façade Ångström", "ß straße İstanbul ΣΊΣΥΦΟΣ ǅ", "東京タワーに行きました。中文字符测试", "한국어 텍스트",
    "مرحبا بالعالم", "e\u0301 combining a\u0308\u0323", "ﬁne ligature ＡＢＣ fullwidth", "zero\u200bwidth soft\u00adhyphen",
    "nul\x00 bell\x07 del\x7f vtab\x0b ff\x0c", "nbsp\u00a0ideographic\u3000space", "tag\U000E0041 private\ue000 use",
    "new emoji 🥰🫠🧑‍💻 👍🏽 flags 🇺🇸", "a" * 99, "b" * 100, "c" * 101, "supercalifragilisticexpialidocious" * 4,
    "#hashtag#another @mention@two $AAPL +1 <3 =) ^_^ `code` |pipe| ~tilde~", "[MASK] is [CLS] and [SEP] and [UNK]x[PAD]",
    "numbers 3.14159 1,000,000 2026-11-28T10:00Z 10% ½ Ⅷ ²", "— dashes – and “quotes” ‘single’ «guillemets» …",
    "word " * 300, "don't won't can't y'all", "UPPER lower MiXeD", "\u2028line\u2029para\u0085nel",
]


def main(val_path, tokenizer_path, out_path):
    tokenizer = Tokenizer.from_file(tokenizer_path)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=128)
    texts = [json.loads(line)["text"] for line in open(val_path, encoding="utf-8")]
    with open(out_path, "w", encoding="utf-8") as out:
        for text in texts + HARD_CASES:
            ids = tokenizer.encode(text).ids
            out.write(json.dumps({"text": text, "ids": ids}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
