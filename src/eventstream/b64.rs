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

/// The decoded length of `input` and its padding, or `None` if its length cannot be base64.
fn decoded_len(input: &[u8]) -> Option<(usize, usize)> {
    if !input.len().is_multiple_of(4) {
        return None;
    }
    let pad = match input {
        [] => 0,
        [.., b'=', b'='] => 2,
        [.., b'='] => 1,
        _ => 0,
    };
    Some((input.len() / 4 * 3 - pad, pad))
}

/// Decodes `input`, or `None` if it is not canonical padded base64.
///
/// The output is allocated at its exact length, so turning it into `Bytes` needs no second
/// allocation.
pub(crate) fn decode(input: &[u8]) -> Option<Vec<u8>> {
    let (len, pad) = decoded_len(input)?;
    let mut out = vec![0u8; len];
    decode_to(input, pad, &mut out).then_some(out)
}

/// Appends the decoding of `input` to `out`; `false` (and `out` unchanged) if it is not
/// canonical padded base64.
pub(crate) fn decode_into(input: &[u8], out: &mut Vec<u8>) -> bool {
    let Some((len, pad)) = decoded_len(input) else {
        return false;
    };
    let start = out.len();
    out.resize(start + len, 0);
    let ok = out
        .get_mut(start..)
        .is_some_and(|dst| decode_to(input, pad, dst));
    if !ok {
        out.truncate(start);
    }
    ok
}

/// Decodes `input` (length a multiple of 4, `pad` trailing `=`) into `out`, which has exactly
/// the decoded length.
fn decode_to(input: &[u8], pad: usize, out: &mut [u8]) -> bool {
    let (body, last) = match input.len() {
        0 => return true,
        n => input.split_at(n - 4),
    };
    let &[l0, l1, l2, l3] = last else {
        return false;
    };
    let Some((main, tail)) = out.split_at_mut_checked(body.len() / 4 * 3) else {
        return false;
    };
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
        return false;
    }
    let n = (a << 18) | (b << 12) | (c << 6) | d;
    match n.to_be_bytes().get(1..4 - pad) {
        Some(bytes) if bytes.len() == tail.len() => {
            tail.copy_from_slice(bytes);
            true
        }
        _ => false,
    }
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

        #[test]
        fn decode_into_appends_or_leaves_the_output_alone(text in "[A-Za-z0-9+/=\\\\\"-]{0,24}") {
            let mut out = b"kept".to_vec();
            let ok = super::decode_into(text.as_bytes(), &mut out);
            let mut expected = b"kept".to_vec();
            if let Some(decoded) = reference(text.as_bytes()) {
                expected.extend_from_slice(&decoded);
            }
            prop_assert_eq!(ok, reference(text.as_bytes()).is_some());
            prop_assert_eq!(out, expected);
        }
    }
}
