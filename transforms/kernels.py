"""Compiled kernels (numba) for the dedup hot path: one pass over a batch's bytes from text to sketch.

Why compiled: in numpy, every step of `prepare` (word hashing, shingle hashing, 128 MinHash
permutations, the per-document sort) is a separate pass over arrays that do not fit in cache, and
together they cost ~80 us per 450-word document, 6x the budget of a 30x speed-up over the datasketch
loop. Here each document is read once: bytes -> words -> shingles -> distinct sorted shingles ->
signature -> band keys, in cache. The kernels release the GIL (`nogil`), so batches run on the
caller's worker threads; they are compiled once per environment (`cache=True`).

They compute the same values as the numpy reference in `transforms.shingle`, `transforms.minhash`
and `transforms.lsh` (word hash of the first 24 bytes and the length, position-mixed shingle hash,
datasketch affine32 permutations, fmix64 band keys) bit for bit; tests/test_kernels.py pins them
together on random and hostile text. Persisted history (shingles, band keys) is therefore valid
across both paths.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = [
    "compact",
    "fmix64",
    "group_positions",
    "partner_work",
    "in_set",
    "posting_runs",
    "needs_nfkc",
    "containment_pairs",
    "overlap_counts",
    "overlap_counts_reaching",
    "mirror_positions",
    "prepare_batch",
    "packed_postings",
    "sampled_values",
    "tagged_keys",
    "shared_key_pairs",
]

_G = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xFF51AFD7ED558CCD)
_C2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_M32 = np.uint64(0xFFFFFFFF)
_F1 = np.uint64(0x85EBCA6B)
_F2 = np.uint64(0xC2B2AE35)
_S16 = np.uint64(16)
_S13 = np.uint64(13)
_S32 = np.uint64(32)
_S8 = np.uint64(8)
_LOW63 = np.uint64((1 << 63) - 1)
_EMPTY = np.uint32(0xFFFFFFFF)


@nb.njit(inline="always")
def _fmix64(x):
    """MurmurHash3's 64-bit finaliser (a bijection): the one definition, inlined in the kernels and
    mapped over arrays by `fmix64` for the numpy reference path."""
    x ^= x >> _S33
    x *= _C1
    x ^= x >> _S33
    x *= _C2
    x ^= x >> _S33
    return x


@nb.njit(cache=True, nogil=True)
def _fmix64_flat(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = _fmix64(x[i])
    return out


def fmix64(x: np.ndarray) -> np.ndarray:
    """`_fmix64` element-wise on a uint64 array of any shape (one pass, no temporaries)."""
    x = np.ascontiguousarray(x, dtype=np.uint64)
    return _fmix64_flat(x.reshape(-1)).reshape(x.shape)


@nb.njit(inline="always")
def _fmix32(h):  # on a uint64 holding 32 bits; result masked to 32 bits
    h ^= h >> _S16
    h = (h * _F1) & _M32
    h ^= h >> _S13
    h = (h * _F2) & _M32
    h ^= h >> _S16
    return h


@nb.njit(inline="always")
def _punct_len(buf, i):
    """Length of the non-word multi-byte character at i (0 if the byte at i starts none):
    U+00A0-00BF, U+00D7, U+00F7 (2 bytes) and U+2000-207F (3 bytes), as `shingle._word_bytes`."""
    c0 = buf[i]
    if c0 < 0xC2:
        return 0
    b1 = buf[i + 1]
    if c0 == 0xC2 and 0xA0 <= b1 <= 0xBF:
        return 2
    if c0 == 0xC3 and (b1 == 0x97 or b1 == 0xB7):
        return 2
    if c0 == 0xE2 and (b1 == 0x80 or b1 == 0x81) and buf[i + 2] >= 0x80:
        return 3
    return 0


# byte classes: 0 separator, 1 word byte, 2 lead byte that may start a non-word character
_CLASS = np.zeros(256, np.uint8)
_CLASS[[*range(48, 58), *range(65, 91), *range(97, 123), *range(0x80, 256)]] = 1
_CLASS[[0xC2, 0xC3, 0xE2]] = 2


@nb.njit(inline="always")
def _word_hash(c0, c1, c2, length):
    """Hash of a word from its first 24 bytes (little-endian, 8 per chunk) and its length."""
    h = _fmix64(c0 ^ (np.uint64(length) * _G))
    if length > 8:
        h = _fmix64(h ^ c1)
        h = _fmix64(h ^ c2)
    return h


@nb.njit(inline="always")
def _words(buf, s0, s1, out, cls):
    """Hash every word of buf[s0:s1] into `out` in one scan (each byte read once, the first 24 bytes
    of a word gathered on the way); returns the word count."""
    nw = 0
    length = 0
    c0 = c1 = c2 = np.uint64(0)
    i = s0
    while i < s1:
        c = buf[i]
        kind = cls[c]
        if kind == 2:
            p = _punct_len(buf, i)
            kind = 0 if p else 1
        else:
            p = 1
        if kind == 0:
            if length:
                out[nw] = _word_hash(c0, c1, c2, length)
                nw += 1
                length = 0
                c0 = c1 = c2 = np.uint64(0)
            i += p
            continue
        if length < 8:
            c0 |= np.uint64(c) << np.uint64(8 * length)
        elif length < 16:
            c1 |= np.uint64(c) << np.uint64(8 * (length - 8))
        elif length < 24:
            c2 |= np.uint64(c) << np.uint64(8 * (length - 16))
        length += 1
        i += 1
    if length:
        out[nw] = _word_hash(c0, c1, c2, length)
        nw += 1
    return nw


@nb.njit(inline="always")
def _radix_sort(x, tmp, count):
    """Sort uint32 x in place (LSD radix, 4 passes of 8 bits; `tmp` as large as x, `count` 256
    int64s): linear in len(x), 5x faster than the comparison sort on a news article's shingles."""
    n = x.size
    src, dst = x, tmp
    for shift in range(0, 32, 8):
        sh = np.uint32(shift)
        count[:] = 0
        for i in range(n):
            count[(src[i] >> sh) & 0xFF] += 1
        total = 0
        for v in range(256):
            c = count[v]
            count[v] = total
            total += c
        for i in range(n):
            v = (src[i] >> sh) & 0xFF
            dst[count[v]] = src[i]
            count[v] += 1
        src, dst = dst, src
    # four passes: the result is back in x


@nb.njit(nogil=True, cache=True)
def prepare_batch(buf, doc_bytes, k, mult, a, b, bands, rows, bound):
    """Sketch every document of a batch.

    `buf`: the batch's case-folded UTF-8 bytes, document d in buf[doc_bytes[d]:doc_bytes[d + 1]],
    followed by >= 3 padding bytes; `mult`: the shingle position multipliers (uint64, >= k);
    `a`, `b`: affine32 permutations (uint32); `bound[d]`: where document d's
    distinct shingles go in the returned `vals` (room for every word of it).

    Returns `(vals, counts, sig, exact, n_words, keys)`: distinct shingle hashes ascending (uint32) at
    `bound`, their number per document, signatures (n, num_perm) uint32, exact hash of the word
    sequence, word count, band keys (n, bands) uint64.
    """
    n = doc_bytes.size - 1
    num_perm = a.size
    vals = np.empty(bound[n], np.uint32)
    counts = np.zeros(n, np.int64)
    sig = np.empty((n, num_perm), np.uint32)
    exact = np.empty(n, np.uint64)
    n_words = np.empty(n, np.int64)
    keys = np.empty((n, bands), np.uint64)
    kk = np.uint64(k)
    cls = _CLASS
    tmp = np.empty(1024, np.uint32)
    count = np.zeros(256, np.int64)
    row = np.empty(num_perm, np.uint32)
    for d in range(n):
        s0, s1 = doc_bytes[d], doc_bytes[d + 1]
        words = np.empty(bound[d + 1] - bound[d] + 1, np.uint64)
        nw = _words(buf, s0, s1, words, cls)
        n_words[d] = nw
        acc = np.uint64(0)
        for p in range(nw):
            acc += _fmix64(words[p] ^ (np.uint64(p) * _G))
        exact[d] = _fmix64(acc ^ np.uint64(nw))
        # k-word shingles (one shingle of all words for a document shorter than k)
        if nw >= k:
            nsh = nw - k + 1
        elif nw > 0:
            nsh = 1
        else:
            nsh = 0
        sh = np.empty(nsh, np.uint32)
        if tmp.size < nsh:
            tmp = np.empty(2 * nsh, np.uint32)
        width = min(k, nw)
        for p in range(nsh):
            s = np.uint64(0)
            for j in range(width):
                s += words[p + j] * mult[j]
            sh[p] = np.uint32(_fmix64(s ^ kk) >> _S32)
        _radix_sort(sh, tmp[:nsh], count)
        base = bound[d]
        m = 0
        for p in range(nsh):
            if p == 0 or sh[p] != sh[p - 1]:
                vals[base + m] = sh[p]
                m += 1
        counts[d] = m
        # MinHash over the distinct shingles (repeats cannot change a minimum)
        for i in range(num_perm):
            row[i] = _EMPTY
        for p in range(m):
            x = np.uint32(_fmix32(np.uint64(vals[base + p])))
            for i in range(num_perm):  # 32-bit lanes: the compiler vectorises this loop
                row[i] = min(row[i], np.uint32(a[i] * x + b[i]))
        sig[d, :] = row
        for band in range(bands):
            h = np.uint64(band + 1) * _G
            for r in range(rows):
                h = _fmix64(h ^ np.uint64(row[band * rows + r]))
            keys[d, band] = h & _LOW63
    return vals, counts, sig, exact, n_words, keys


@nb.njit(nogil=True, cache=True)
def compact(vals, bound, counts):
    """CSR `(values, offsets)` from per-document runs `vals[bound[d]:bound[d] + counts[d]]`."""
    n = counts.size
    offsets = np.zeros(n + 1, np.int64)
    for d in range(n):
        offsets[d + 1] = offsets[d] + counts[d]
    out = np.empty(offsets[n], vals.dtype)
    for d in range(n):
        out[offsets[d] : offsets[d + 1]] = vals[bound[d] : bound[d] + counts[d]]
    return out, offsets


@nb.njit(nogil=True, cache=True, inline="always")
def _merge_count(hashes, i, ie, j, je):
    """|hashes[i:ie] ∩ hashes[j:je]|, both sorted and distinct: a linear merge with no data-dependent
    branch (both cursors advance by comparisons): on ~500-shingle sets it is 1.5x the if/elif merge,
    whose branches mispredict."""
    c = 0
    while i < ie and j < je:
        x, y = hashes[i], hashes[j]
        c += x == y
        i += x <= y
        j += y <= x
    return c


@nb.njit(nogil=True, cache=True)
def overlap_counts(hashes, offsets, left, right):
    """|A ∩ B| for each pair (left[p], right[p]) of documents whose hashes are sorted and distinct:
    a linear merge per pair (`_merge_count`)."""
    out = np.zeros(left.size, np.int64)
    for p in range(left.size):
        a, b = left[p], right[p]
        out[p] = _merge_count(hashes, offsets[a], offsets[a + 1], offsets[b], offsets[b + 1])
    return out


_FILTER_BITS = 17  # the bit filter of `overlap_counts_reaching`: 16 KB, in L1 beside the sets read


@nb.njit(nogil=True, cache=True, inline="always")
def _filter_slot(h):
    return ((np.uint64(h) * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)) >> np.uint64(32 - _FILTER_BITS)


@nb.njit(nogil=True, cache=True)
def overlap_counts_reaching(hashes, offsets, left, right, need):
    """|A ∩ B| for each pair (left[p], right[p]) that can reach `need[p]`; for the others, a bound
    below `need[p]` (so `count >= need[p]` is answered exactly either way). Pairs sorted by left.

    A's hashes set bits of a filter (2^17 bits, rebuilt when left changes); B's hashes found in it
    bound the overlap from above (a hash of A ∩ B always is). When the bound is below the need, the
    merge is skipped: a probe a hash of B instead of a merge step for each of A and B, on the
    candidates of the containment search that mostly share a sentence or two."""
    words = np.zeros(1 << (_FILTER_BITS - 6), np.uint64)
    out = np.zeros(left.size, np.int64)
    cur = -1
    for p in range(left.size):
        a = left[p]
        i, ie = offsets[a], offsets[a + 1]
        j, je = offsets[right[p]], offsets[right[p] + 1]
        if a != cur:
            if cur >= 0:
                for t in range(offsets[cur], offsets[cur + 1]):
                    words[_filter_slot(hashes[t]) >> np.uint64(6)] = 0
            for t in range(i, ie):
                s = _filter_slot(hashes[t])
                words[s >> np.uint64(6)] |= np.uint64(1) << (s & np.uint64(63))
            cur = a
        bound = 0
        for t in range(j, je):
            s = _filter_slot(hashes[t])
            bound += np.int64((words[s >> np.uint64(6)] >> (s & np.uint64(63))) & np.uint64(1))
        bound = min(bound, ie - i)
        out[p] = bound if bound < need[p] else _merge_count(hashes, i, ie, j, je)
    return out


@nb.njit(nogil=True, cache=True)
def mirror_positions(a, b, start, lo, hi):
    """For the pairs p in [lo, hi) of pairs sorted by (a, b): the position of the reverse pair
    (b[p], a[p]) when b[p] < a[p] and that pair is there (it then comes earlier), else -1.
    `start[x]:start[x + 1]` are the positions of the pairs whose a is x."""
    out = np.full(hi - lo, -1, np.int64)
    for p in range(lo, hi):
        x, y = a[p], b[p]
        if y >= x:
            continue
        i, j = start[y], start[y + 1]
        while i < j:  # the first position in [start[y], start[y + 1]) whose b is >= x
            m = (i + j) >> 1
            if b[m] < x:
                i = m + 1
            else:
                j = m
        if i < start[y + 1] and b[i] == x:
            out[p - lo] = i
    return out


@nb.njit(nogil=True, cache=True)
def _partners(a, node, run_end, by_node, node_start, need, counter, touched, out, m):
    """Count a's shared samples with each later document, append the kept directed pairs at m; returns
    the new m. The arrays are never reassigned here, which keeps this loop tight."""
    t_n = 0
    for t in range(node_start[a], node_start[a + 1]):
        p = by_node[t]
        for q in range(p + 1, run_end[p]):
            bb = node[q]
            if counter[bb] == 0:
                touched[t_n] = bb
                t_n += 1
            counter[bb] += 1
    for i in range(t_n):
        bb = touched[i]
        shared = np.int64(counter[bb])
        counter[bb] = 0
        if shared >= need[a]:
            out[m] = (np.int64(a) << 32) | bb
            m += 1
        if shared >= need[bb]:
            out[m] = (np.int64(bb) << 32) | a
            m += 1
    return m


@nb.njit(nogil=True, cache=True)
def containment_pairs(node, run_end, by_node, node_start, need, lo, hi):
    """Directed pairs of documents sharing samples, as keys `x << 32 | y` (x's shared samples reach
    `need[x]`), counted from the left documents lo <= a < hi: each unordered pair {a, b}, a < b, is
    counted once, from a, and gives (a, b), (b, a), both or neither. Unsorted.

    `node[p]` is the document at position p of the postings sorted by (sample, document), `run_end[p]`
    the end of p's sample run (its later positions are the documents after node[p] sharing that
    sample); `by_node[node_start[a]:node_start[a + 1]]` are a's positions. Shared samples are counted
    in a dense counter over all documents (reset through the list of partners touched), so the work
    is one increment per shared-sample pair. One int64 per kept direction: when sentences recur across
    documents there are tens of millions (documents number under 2^31: see containment_relations)."""
    out = np.empty(1024, np.int64)
    m = 0
    counter = np.zeros(need.size, np.int32)
    touched = np.empty(1024, np.int64)
    for a in range(lo, hi):
        most = 0
        for t in range(node_start[a], node_start[a + 1]):
            p = by_node[t]
            most += run_end[p] - p - 1
        if most == 0:
            continue
        if touched.size < most:
            touched = np.empty(2 * most, np.int64)
        if out.size < m + 2 * most:
            grown = np.empty(2 * (m + 2 * most), np.int64)
            grown[:m] = out[:m]
            out = grown
        m = _partners(a, node, run_end, by_node, node_start, need, counter, touched, out, m)
    return out[:m]


@nb.njit(nogil=True, cache=True)
def group_positions(node, n):
    """Positions of `node` grouped by value (a counting sort): value v's positions, ascending, are
    `order[start[v]:start[v + 1]]`."""
    start = np.zeros(n + 1, np.int64)
    for p in range(node.size):
        start[node[p] + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    fill = start[:-1].copy()
    order = np.empty(node.size, np.int32)  # positions < 2^31 (see containment_relations)
    for p in range(node.size):
        v = node[p]
        order[fill[v]] = p
        fill[v] += 1
    return order, start


@nb.njit(nogil=True, cache=True)
def partner_work(node, run_end, n):
    """Per node: how many later postings share one of its samples (the work of counting its pairs)."""
    work = np.zeros(n, np.int64)
    for p in range(node.size):
        work[node[p]] += run_end[p] - p - 1
    return work


@nb.njit(nogil=True, cache=True)
def needs_nfkc(data, offsets):
    """Per text: does it hold a character outside U+0000-02FF and U+2000-206F (`shingle._NEEDS_NFKC`)?
    In UTF-8 those are the characters whose lead byte is >= 0xCC, except E2 80 xx and E2 81 80-AF."""
    n = offsets.size - 1
    out = np.zeros(n, np.bool_)
    for d in range(n):
        end = offsets[d + 1]
        i = offsets[d]
        while i < end:
            c = data[i]
            if c >= 0xCC:
                if (
                    c == 0xE2
                    and i + 2 < end + 1
                    and (data[i + 1] == 0x80 or (data[i + 1] == 0x81 and data[i + 2] <= 0xAF))
                ):
                    i += 3
                    continue
                out[d] = True
                break
            i += 1
    return out


@nb.njit(nogil=True, cache=True)
def posting_runs(keys, n_nodes, max_df):
    """From postings `sample << 32 | node` sorted ascending: the nodes and run ends of the samples
    shared by 2 to `max_df` nodes (run_end[p] is the end of p's run in the returned arrays), and each
    node's number of samples in at most `max_df` nodes."""
    total = keys.size
    node = np.empty(total, np.int32)  # int32: half the memory of the largest arrays of the stage
    run_end = np.empty(total, np.int32)
    n_samples = np.zeros(n_nodes, np.int64)
    m = 0
    i = 0
    while i < total:
        s = keys[i] >> _S32
        j = i + 1
        while j < total and (keys[j] >> _S32) == s:
            j += 1
        size = j - i
        if size <= max_df:
            for p in range(i, j):
                n_samples[np.int64(keys[p] & _M32)] += 1
            if size >= 2:
                for p in range(i, j):
                    node[m] = np.int32(keys[p] & _M32)
                    run_end[m] = np.int32(m + size - (p - i))
                    m += 1
        i = j
    return node[:m], run_end[:m], n_samples


@nb.njit(nogil=True, cache=True)
def in_set(values, members):
    """Is each value one of `members`? An open-addressing table of the members (4x their number,
    linear probing): one multiply and, nearly always, one probe per value."""
    out = np.zeros(values.size, np.bool_)
    if members.size == 0:
        return out
    bits = 4
    while (1 << bits) < 4 * members.size:
        bits += 1
    mask = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    table = np.zeros(1 << bits, np.uint64)
    used = np.zeros(1 << bits, np.bool_)
    for v in members:
        key = np.uint64(v)
        slot = np.int64((key * _G) >> shift)
        while used[slot] and table[slot] != key:
            slot = (slot + 1) & mask
        table[slot] = key
        used[slot] = True
    for i in range(values.size):
        key = np.uint64(values[i])
        slot = np.int64((key * _G) >> shift)
        while used[slot]:
            if table[slot] == key:
                out[i] = True
                break
            slot = (slot + 1) & mask
    return out


@nb.njit(nogil=True, cache=True)
def _band_join(col_a, docs_a, col_b, docs_b, head, nxt, shift, mask, self_join, out_l, out_r, m, write):
    """One band's hash join: table of col_b, probed by col_a. Appends matches at m when `write`
    (else only counts them); returns the new m. No array is reassigned here (a tight loop)."""
    head[:] = -1
    for j in range(col_b.size):
        slot = np.int64((col_b[j] * _G) >> shift) & mask
        nxt[j] = head[slot]
        head[slot] = j
    for i in range(col_a.size):
        key = col_a[i]
        j = head[np.int64((key * _G) >> shift) & mask]
        while j >= 0:
            if col_b[j] == key and (not self_join or docs_a[i] < docs_b[j]):
                if write:
                    out_l[m] = docs_a[i]
                    out_r[m] = docs_b[j]
                m += 1
            j = nxt[j]
    return m


@nb.njit(nogil=True, cache=True)
def _partition(col, docs, pbits, keys_out, docs_out, starts):
    """Counting sort of one band's (key, doc) rows by the key's top `pbits` bits."""
    shift = np.uint64(64 - max(pbits, 1))
    cut = 1 if pbits > 0 else 0  # a shift by 64 is undefined: with one part, every key goes to 0
    starts[:] = 0
    for i in range(col.size):
        starts[np.int64(col[i] >> shift) * cut + 1] += 1
    for v in range(starts.size - 1):
        starts[v + 1] += starts[v]
    fill = starts[:-1].copy()
    for i in range(col.size):
        v = np.int64(col[i] >> shift) * cut
        keys_out[fill[v]] = col[i]
        docs_out[fill[v]] = docs[i]
        fill[v] += 1


@nb.njit(nogil=True, cache=True)
def shared_key_pairs(keys_a, docs_a, keys_b, docs_b, self_join):
    """Pairs (docs_a[i], docs_b[j]) whose band keys agree in at least one band (`keys_*` are
    (rows, bands) uint64). With `self_join` (the same rows on both sides) only pairs with
    left < right. Per band, both sides are split by the keys' top bits into parts of ~16K rows, and
    each part is joined through a chained hash table small enough to stay in cache (one table for
    all the rows missed cache on nearly every probe at 1M documents). A counting pass per part sizes
    the output. Returns (left, right), possibly with repeats (pairs agreeing in several bands)."""
    n_a, bands = keys_a.shape
    n_b = keys_b.shape[0]
    pbits = 0
    while pbits < 20 and (n_b >> pbits) > 8_192:  # band keys use 63 bits: parts of ~16K rows
        pbits += 1
    parts = 1 << pbits
    cols_a = np.ascontiguousarray(keys_a.T)  # one band's keys contiguous
    cols_b = np.ascontiguousarray(keys_b.T)
    ka, da = np.empty(n_a, np.uint64), np.empty(n_a, np.int64)
    kb, db = np.empty(n_b, np.uint64), np.empty(n_b, np.int64)
    sa, sb = np.empty(parts + 1, np.int64), np.empty(parts + 1, np.int64)
    bits = 4
    while (1 << bits) < 2 * max(n_b >> pbits, 1) + 64:
        bits += 1
    mask = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    head = np.empty(1 << bits, np.int32)
    nxt = np.empty(max(n_b, 1), np.int32)
    out_l = np.empty(1024, np.int64)
    out_r = np.empty(1024, np.int64)
    m = 0
    for band in range(bands):
        _partition(cols_a[band], docs_a, pbits, ka, da, sa)
        _partition(cols_b[band], docs_b, pbits, kb, db, sb)
        for part in range(parts):
            a0, a1, b0, b1 = sa[part], sa[part + 1], sb[part], sb[part + 1]
            if a0 == a1 or b0 == b1:
                continue
            if (b1 - b0) * 2 > head.size:  # a skewed part: a larger table
                grow = 4
                while (1 << grow) < 2 * (b1 - b0):
                    grow += 1
                head = np.empty(1 << grow, np.int32)
                mask = (1 << grow) - 1
                shift = np.uint64(64 - grow)
            args = (ka[a0:a1], da[a0:a1], kb[b0:b1], db[b0:b1], head, nxt, shift, mask, self_join)
            found = _band_join(*args, out_l, out_r, 0, False)  # count, then make room, then write
            if m + found > out_l.size:
                size = 2 * (m + found)
                out_l = np.concatenate((out_l[:m], np.empty(size - m, np.int64)))
                out_r = np.concatenate((out_r[:m], np.empty(size - m, np.int64)))
            m = _band_join(*args, out_l, out_r, m, True)
    return out_l[:m], out_r[:m]


@nb.njit(nogil=True, cache=True)
def packed_postings(hashes, offsets, nodes, limit, nbits):
    """Postings `sample << 32 | node` of the sampled shingles of `nodes` (hashes below `limit`, a
    power of two), already split by the top `nbits` bits of the sample: part v is
    out[starts[v]:starts[v + 1]], nodes ascending within it. Sorting each part then sorts them all;
    one array is written, not a list and then its sorted copy."""
    top = 0
    while (np.uint64(1) << np.uint64(top)) < limit:
        top += 1
    shift = np.uint64(max(top - nbits, 0))
    parts = 1 << nbits
    starts = np.zeros(parts + 1, np.int64)
    for t in range(nodes.size):
        d = nodes[t]
        p = offsets[d]
        while p < offsets[d + 1] and hashes[p] < limit:
            starts[np.int64(np.uint64(hashes[p]) >> shift) + 1] += 1
            p += 1
    for v in range(parts):
        starts[v + 1] += starts[v]
    fill = starts[:-1].copy()
    out = np.empty(starts[parts], np.uint64)
    for t in range(nodes.size):
        d = nodes[t]
        p = offsets[d]
        while p < offsets[d + 1] and hashes[p] < limit:
            v = np.int64(np.uint64(hashes[p]) >> shift)
            out[fill[v]] = (np.uint64(hashes[p]) << _S32) | np.uint64(d)
            fill[v] += 1
            p += 1
    return out, starts


@nb.njit(nogil=True, cache=True)
def sampled_values(hashes, offsets, limit):
    """Every document's sampled shingles (hashes below `limit`: the first of each sorted run), back
    to back in document order, and how many each document has."""
    n = offsets.size - 1
    counts = np.zeros(n, np.int64)
    for d in range(n):
        p = offsets[d]
        while p < offsets[d + 1] and hashes[p] < limit:
            p += 1
        counts[d] = p - offsets[d]
    out = np.empty(counts.sum(), hashes.dtype)
    m = 0
    for d in range(n):
        for p in range(offsets[d], offsets[d] + counts[d]):
            out[m] = hashes[p]
            m += 1
    return out, counts


@nb.njit(nogil=True, cache=True)
def interleaved_keys(band_keys, ckeys, ccounts):
    """Each document's band keys (row d of `band_keys`, (n, bands)) then its containment keys
    (`ccounts[d]` of `ckeys`, in document order), back to back: written in one pass, without the
    position arrays a numpy scatter needs."""
    n, bands = band_keys.shape
    out = np.empty(n * bands + ckeys.size, np.uint64)
    m = 0
    c = 0
    for d in range(n):
        for b in range(bands):
            out[m] = band_keys[d, b]
            m += 1
        for _ in range(ccounts[d]):
            out[m] = ckeys[c]
            m += 1
            c += 1
    return out


@nb.njit(nogil=True, cache=True)
def tagged_keys(values, counts, drop, mult, tag):
    """Lookup keys of the kept samples (`drop` false): x * mult, xor-shifted by 29, with the `tag`
    bit set; and the new count per document."""
    keys = np.empty(values.size - np.count_nonzero(drop), np.uint64)
    new_counts = np.zeros(counts.size, np.int64)
    m = 0
    i = 0
    for d in range(counts.size):
        for _ in range(counts[d]):
            if not drop[i]:
                x = np.uint64(values[i]) * mult
                keys[m] = (x ^ (x >> np.uint64(29))) | tag
                m += 1
                new_counts[d] += 1
            i += 1
    return keys, new_counts
