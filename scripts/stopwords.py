#!/usr/bin/env python3
"""Writes Sources/VoxStream/Terms/StopWords/<lang>.txt, the stop-word lists of Vox's emerging terms.

One-off reference script (its output is committed; the product never runs Python):

    pip download --no-deps stop-words==2025.11.4 && unzip -o stop_words-2025.11.4-py3-none-any.whl -d /tmp/sw
    python3 scripts/stopwords.py /tmp/sw/stop_words/stop-words

Arabic, French, German, Hindi, Italian, Portuguese and Spanish come from the `stop-words` package
(https://github.com/Alir3z4/python-stop-words, BSD-3-Clause), less the evaluative words below: emerging terms are
about what people say, and "bueno" rising is news. The package's English list (1,333 words) holds content words
("great", "thanks", "new"), so English is the function-word list below. Every language also gets the feed noise
words of FEED.
"""
import pathlib
import sys

ENGLISH = """
a about above after again against all am an and any are aren't as at be because been before being below between
both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from
further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor
not of off on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's should
shouldn't so some such than that that's the their theirs them themselves then there there's these they they'd
they'll they're they've this those through to too under until up very was wasn't we we'd we'll we're we've were
weren't what what's when when's where where's which while who who's whom why why's with won't would wouldn't you
you'd you'll you're you've your yours yourself yourselves im ive id ill youre youve dont doesnt didnt isnt wasnt
arent cant couldnt wouldnt shouldnt wont thats theres whats u ur r ya also just get got will shall may might must
one us oh yes yeah ok okay lol
"""

FEED = "rt amp via http https www com co gt lt"

EXCLUDED = {
    "es": "bien buena bueno buenos buenas mejor mejores nuevo nueva nuevos nuevas mal malo mala peor",
    "pt": "bem bom boa bons boas melhor melhores novo nova novos novas mal mau pior",
    "fr": "bien bon bonne bons bonnes meilleur meilleure nouveau nouvelle nouveaux mal mauvais pire",
    "it": "bene buono buona buoni buone meglio migliore nuovo nuova nuovi nuove male cattivo peggio",
    "de": "gut gute guten besser beste neu neue neuen schlecht",
    "ar": "",
    "hi": "",
}

PACKAGE = {"ar": "arabic", "de": "german", "es": "spanish", "fr": "french", "hi": "hindi", "it": "italian",
           "pt": "portuguese"}


def main() -> None:
    source = pathlib.Path(sys.argv[1])
    out = pathlib.Path(__file__).resolve().parent.parent / "Sources/VoxStream/Terms/StopWords"
    out.mkdir(parents=True, exist_ok=True)
    lists = {"en": set(ENGLISH.split())}
    for lang, name in PACKAGE.items():
        words = {line.strip().lower() for line in (source / f"{name}.txt").read_text(encoding="utf-8").splitlines()}
        lists[lang] = {w for w in words if w and " " not in w} - set(EXCLUDED[lang].split())
    for lang, words in lists.items():
        words |= set(FEED.split())
        (out / f"{lang}.txt").write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
        print(lang, len(words))


if __name__ == "__main__":
    main()
