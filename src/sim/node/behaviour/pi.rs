//! Digits of pi for the Job example (`perl -Mbignum=bpi -wle 'print bpi(2000)'`), computed with the
//! Rabinowitz–Wagon spigot so that `kubectl logs` prints the real number.

/// Pi to `n` significant digits, rounded as `bpi(n)` rounds: `digits(5)` is `3.1416`.
pub fn digits(n: u32) -> String {
    let n = n.clamp(1, 10_000) as usize;
    // A few guard digits make the rounding of the last one right.
    let raw = spigot(n + 5);
    let mut d: Vec<u8> = raw[..n].to_vec();
    if raw[n] >= 5 {
        let mut i = n;
        while i > 0 {
            i -= 1;
            if d[i] == 9 {
                d[i] = 0;
            } else {
                d[i] += 1;
                break;
            }
        }
    }
    let mut s = String::with_capacity(n + 1);
    for (i, digit) in d.iter().enumerate() {
        s.push((b'0' + digit) as char);
        if i == 0 && n > 1 {
            s.push('.');
        }
    }
    s
}

/// The first `count` decimal digits of pi (3, 1, 4, 1, 5, ...).
fn spigot(count: usize) -> Vec<u8> {
    let len = count * 10 / 3 + 2;
    let mut a = vec![2u32; len];
    let mut out: Vec<u8> = Vec::with_capacity(count + 2);
    let mut nines = 0usize;
    let mut predigit: Option<u8> = None;
    while out.len() < count + 1 {
        let mut q: u64 = 0;
        for i in (1..=len).rev() {
            let x = 10 * u64::from(a[i - 1]) + q * i as u64;
            let den = 2 * i as u64 - 1;
            a[i - 1] = (x % den) as u32;
            q = x / den;
        }
        a[0] = (q % 10) as u32;
        let q = (q / 10) as u8;
        match q {
            9 => nines += 1,
            10 => {
                if let Some(p) = predigit {
                    out.push(p + 1);
                }
                out.extend(std::iter::repeat_n(0, nines));
                predigit = Some(0);
                nines = 0;
            }
            _ => {
                if let Some(p) = predigit {
                    out.push(p);
                }
                out.extend(std::iter::repeat_n(9, nines));
                predigit = Some(q);
                nines = 0;
            }
        }
    }
    out.truncate(count + 1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_prefix_and_rounding() {
        assert_eq!(digits(1), "3");
        assert_eq!(digits(5), "3.1416");
        assert_eq!(digits(11), "3.1415926536");
        // Digits 762-767 after the point are the Feynman point (six nines).
        let s = digits(800);
        assert_eq!(&s[..52], "3.14159265358979323846264338327950288419716939937510");
        assert_eq!(&s[763..769], "999999");
    }

    #[test]
    fn bpi_2000_has_2000_digits() {
        assert_eq!(digits(2000).len(), 2001);
        // The 1000th decimal ends the well-known first thousand: ...2164201989.
        let s = digits(1001);
        assert!(s.ends_with("2164201989"), "{}", &s[990..]);
    }
}
