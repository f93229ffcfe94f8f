//! Standard-alphabet base64 decoding for chunk payloads, tuned for the short strings Bedrock
//! sends. Same acceptance as the `base64` crate's `STANDARD` engine (padding required,
//! non-zero trailing bits rejected), which a property test checks.

const INVALID: u8 = 0xFF;

const TABLE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

fn sextet(b: u8) -> u32 {
    u32::from(TABLE[usize::from(b)])
}

/// Decodes `input`, or `None` if it is not canonical padded base64.
///
/// The output is allocated at its exact length, so turning it into `Bytes` needs no second
/// allocation.
pub(crate) fn decode(input: &[u8]) -> Option<Vec<u8>> {
    if !input.len().is_multiple_of(4) {
        return None;
    }
    let (body, last) = match input.len() {
        0 => return Some(Vec::new()),
        n => input.split_at(n - 4),
    };
    let &[l0, l1, l2, l3] = last else {
        return None;
    };
    let pad = match (l2, l3) {
        (b'=', b'=') => 2,
        (_, b'=') => 1,
        _ => 0,
    };
    let mut out = vec![0u8; input.len() / 4 * 3 - pad];
    let (main, tail) = out.split_at_mut(body.len() / 4 * 3);
    // Invalid characters map to 0xFF; their high bits are collected and checked once at the end,
    // which keeps the loop free of branches.
    let mut bad = 0u32;
    for (quad, dst) in body.chunks_exact(4).zip(main.chunks_exact_mut(3)) {
        let (a, b, c, d) = (
            sextet(quad[0]),
            sextet(quad[1]),
            sextet(quad[2]),
            sextet(quad[3]),
        );
        bad |= a | b | c | d;
        let n = (a << 18) | (b << 12) | (c << 6) | d;
        dst.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    let (a, b) = (sextet(l0), sextet(l1));
    // The unused low bits of the last character before the padding must be zero.
    let (c, d, unused) = match pad {
        2 => (0, 0, b & 0x0F),
        1 => {
            let c = sextet(l2);
            (c, 0, c & 0x03)
        }
        _ => (sextet(l2), sextet(l3), 0),
    };
    if (bad | a | b | c | d) & 0xC0 != 0 || unused != 0 {
        return None;
    }
    let n = (a << 18) | (b << 12) | (c << 6) | d;
    tail.copy_from_slice(n.to_be_bytes().get(1..4 - pad)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use proptest::prelude::*;

    fn reference(input: &[u8]) -> Option<Vec<u8>> {
        base64::engine::general_purpose::STANDARD.decode(input).ok()
    }

    #[test]
    fn known_values() {
        assert_eq!(super::decode(b"aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(
            super::decode(b"aGVsbG8gd29ybGQ=").as_deref(),
            Some(&b"hello world"[..])
        );
        assert_eq!(super::decode(b"").as_deref(), Some(&b""[..]));
        for bad in [
            &b"aGk"[..],
            b"aG=k",
            b"aGl=",
            b"a===",
            b"====",
            b"aGk\\",
            b"aGk=aGk=",
        ] {
            assert_eq!(
                super::decode(bad),
                reference(bad),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

        #[test]
        fn agrees_with_the_base64_crate_on_valid_input(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
            prop_assert_eq!(super::decode(text.as_bytes()), Some(bytes));
        }

        #[test]
        fn agrees_with_the_base64_crate_on_any_input(text in "[A-Za-z0-9+/=\\\\\"-]{0,24}") {
            prop_assert_eq!(super::decode(text.as_bytes()), reference(text.as_bytes()));
        }
    }
}
