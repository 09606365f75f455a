//! Near-duplicate detection (pure): MinHash signatures over word shingles of the folded text,
//! banded for locality-sensitive hashing, and the exact Jaccard similarity that confirms a
//! candidate. Every hash is SipHash-1-3 with fixed keys (never the process's random ones),
//! so buckets written by one process or one release are found by another.
//!
//! Shingles are taken within sentences: two comments that say the same sentences in another
//! order, with other punctuation, case or diacritics, have the same shingles.

use std::hash::Hasher;

use siphasher::sip::SipHasher13;

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 3;
/// MinHash values per signature: `BANDS` bands of `ROWS`. A pair of Jaccard similarity `s`
/// shares a bucket with probability 1 − (1 − s²)^6: 0.982 at 0.7, 0.82 at 0.5, 0.22 at 0.2.
/// Every bucket is a row written and an index probe per comment, which is what clustering
/// costs the submission rate: 20 bands of 5 and 10 of 3 found the same pairs at 0.7 with
/// 100 and 30 values, and 6 of 2 finds them with 12; the more unlike pairs it lets through
/// are weeded out by the exact comparison of the `CHECKED` best candidates.
pub const BANDS: usize = 6;
pub const ROWS: usize = 2;

// Fixed keys: changing them orphans every stored bucket.
const SHINGLE_KEY: (u64, u64) = (0x676f_7079_5f73_6869, 0x6e67_6c65_5f6b_3031);
const BAND_KEY: (u64, u64) = (0x676f_7079_5f62_616e, 0x645f_6b65_795f_3031);
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// What a comment's text is compared by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprint {
    /// The shingles' hashes, sorted, without repeats.
    pub shingles: Vec<u64>,
    /// One LSH bucket per band (empty for a text without words).
    pub buckets: Vec<i64>,
}

fn sip(key: (u64, u64), bytes: &[u8]) -> u64 {
    let mut h = SipHasher13::new_with_keys(key.0, key.1);
    h.write(bytes);
    h.finish()
}

/// A bijective mixer (splitmix64's finaliser): the `i`-th MinHash function is
/// `mix(shingle ^ SEEDS[i])`.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `mix(SEED × (i + 1))` for each MinHash function `i`.
const SEEDS: [u64; BANDS * ROWS] = {
    let mut seeds = [0; BANDS * ROWS];
    let mut i = 0;
    while i < seeds.len() {
        seeds[i] = mix(SEED.wrapping_mul(i as u64 + 1));
        i += 1;
    }
    seeds
};

/// The hashes of the text's word shingles (sentences apart), sorted and without repeats.
pub fn shingles(text: &str) -> Vec<u64> {
    let folded = crate::text::fold(text);
    let mut out = Vec::new();
    for sentence in folded.split(['.', '!', '?', ';', '\n']) {
        let words: Vec<&str> = sentence
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            continue;
        }
        let size = SHINGLE_WORDS.min(words.len());
        for window in words.windows(size) {
            // The words joined by spaces, hashed as they stream in (SipHash reads bytes the
            // same however they are split): no string a shingle.
            let mut h = SipHasher13::new_with_keys(SHINGLE_KEY.0, SHINGLE_KEY.1);
            for (k, word) in window.iter().enumerate() {
                if k > 0 {
                    h.write(b" ");
                }
                h.write(word.as_bytes());
            }
            out.push(h.finish());
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Shingles and LSH buckets of a text.
pub fn fingerprint(text: &str) -> Fingerprint {
    let shingles = shingles(text);
    if shingles.is_empty() {
        return Fingerprint {
            shingles,
            buckets: Vec::new(),
        };
    }
    let mut signature = [u64::MAX; BANDS * ROWS];
    for &s in &shingles {
        for (slot, seed) in signature.iter_mut().zip(SEEDS) {
            *slot = (*slot).min(mix(s ^ seed));
        }
    }
    let buckets = signature
        .chunks(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            let mut bytes = Vec::with_capacity(8 * (ROWS + 1));
            bytes.extend_from_slice(&(band as u64).to_le_bytes());
            for r in rows {
                bytes.extend_from_slice(&r.to_le_bytes());
            }
            sip(BAND_KEY, &bytes) as i64
        })
        .collect();
    Fingerprint { shingles, buckets }
}

/// |A ∩ B| / |A ∪ B| of two sorted sets without repeats (0 when both are empty).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Đề nghị bổ sung chỉ tiêu về chuyển đổi số trong cơ quan nhà nước. \
        Cần nêu rõ lộ trình thực hiện đến năm 2030. Kinh phí phải được bảo đảm từ ngân sách.";

    #[test]
    fn diacritics_case_punctuation_and_sentence_order_do_not_matter() {
        let other = "kinh phi phai duoc bao dam tu ngan sach!  DE NGHI bo sung chi tieu ve \
            chuyen doi so trong co quan nha nuoc; can neu ro lo trinh thuc hien den nam 2030";
        assert_eq!(fingerprint(TEXT), fingerprint(other));
    }

    #[test]
    fn one_word_changed_stays_above_the_threshold() {
        let other = TEXT.replace("lộ trình", "lộ tuyến");
        let s = jaccard(&shingles(TEXT), &shingles(&other));
        assert!((0.7..1.0).contains(&s), "{s}");
    }

    #[test]
    fn unrelated_texts_share_almost_nothing() {
        let other = "Chương II cần sắp xếp lại để tránh trùng lặp với luật cán bộ, công chức.";
        assert!(jaccard(&shingles(TEXT), &shingles(other)) < 0.1);
    }

    #[test]
    fn the_buckets_never_change() {
        // Stored buckets are found again only while the text, the shingles and the hashes
        // give these values.
        let pinned: Vec<i64> = vec![
            6_754_164_233_678_444_983,
            -819_319_673_706_849_949,
            9_177_835_351_326_533_626,
            -8_252_149_848_123_683_681,
            -5_787_414_289_901_562_266,
            1_610_285_123_206_680_213,
        ];
        assert_eq!(fingerprint("Một hai, ba bốn").buckets, pinned);
    }

    #[test]
    fn the_buckets_are_the_same_in_every_process() {
        // Fixed keys: this value must never change (stored buckets depend on it).
        assert_eq!(fingerprint("một hai ba bốn").buckets.len(), BANDS);
        assert_eq!(
            fingerprint("một hai ba bốn").buckets[0],
            fingerprint("MOT HAI BA BON").buckets[0]
        );
    }

    #[test]
    fn a_shingle_is_the_hash_of_its_words_joined_by_spaces() {
        let joined = ["de", "nghi", "bo"].join(" ");
        assert_eq!(
            shingles("Đề nghị bổ"),
            vec![sip(SHINGLE_KEY, joined.as_bytes())]
        );
    }

    #[test]
    fn a_text_without_words_has_no_buckets() {
        assert_eq!(fingerprint(" ... !!! ").buckets, Vec::<i64>::new());
    }
}
