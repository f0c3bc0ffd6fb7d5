"""Every string one edit (delete, transpose, replace, insert) away from a term."""

CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюя"
LATIN = "abcdefghijklmnopqrstuvwxyz"


def variants(word):
    alphabet = CYRILLIC if any("а" <= c <= "я" for c in word) else LATIN
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = set()
    for left, right in splits:
        if right:
            out.add(left + right[1:])
            if len(right) > 1:
                out.add(left + right[1] + right[0] + right[2:])
            for char in alphabet:
                out.add(left + char + right[1:])
        for char in alphabet:
            out.add(left + char + right)
    out.discard(word)
    return out
