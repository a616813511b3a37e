//! Which country an E.164 number dials, by its calling code: the key of Twilio's voice
//! dialing permissions (`/v1/DialingPermissions/Countries/{IsoCode}`), shared by the runner's
//! preflight and the emulator that serves those permissions.
//!
//! A short table of common destinations, not the whole numbering plan: `+1` is the United
//! States (Canada and the Caribbean share the code; Twilio lists the US and Canada together).
//! A number whose code is not here has no country, and callers say so instead of guessing.

/// A country as Twilio's dialing permissions name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub iso_code: &'static str,
    /// English name.
    pub name: &'static str,
    /// Twilio's continent label.
    pub continent: &'static str,
    /// The calling code with its `+`.
    pub calling_code: &'static str,
}

const fn country(
    iso_code: &'static str,
    name: &'static str,
    continent: &'static str,
    calling_code: &'static str,
) -> Country {
    Country {
        iso_code,
        name,
        continent,
        calling_code,
    }
}

const NORTH_AMERICA: &str = "NORTH_AMERICA";
const EUROPE: &str = "EUROPE";
const ASIA: &str = "ASIA";
const OCEANIA: &str = "OCEANIA";
const SOUTH_AMERICA: &str = "SOUTH_AMERICA";
const AFRICA: &str = "AFRICA";
const MIDDLE_EAST: &str = "MIDDLE_EAST";

/// The countries known, in no particular order (lookups take the longest matching code).
pub const COUNTRIES: &[Country] = &[
    country("US", "United States/Canada", NORTH_AMERICA, "+1"),
    country("MX", "Mexico", NORTH_AMERICA, "+52"),
    country("CU", "Cuba", NORTH_AMERICA, "+53"),
    country("GB", "United Kingdom", EUROPE, "+44"),
    country("IE", "Ireland", EUROPE, "+353"),
    country("DE", "Germany", EUROPE, "+49"),
    country("FR", "France", EUROPE, "+33"),
    country("ES", "Spain", EUROPE, "+34"),
    country("PT", "Portugal", EUROPE, "+351"),
    country("IT", "Italy", EUROPE, "+39"),
    country("NL", "Netherlands", EUROPE, "+31"),
    country("BE", "Belgium", EUROPE, "+32"),
    country("CH", "Switzerland", EUROPE, "+41"),
    country("AT", "Austria", EUROPE, "+43"),
    country("SE", "Sweden", EUROPE, "+46"),
    country("NO", "Norway", EUROPE, "+47"),
    country("DK", "Denmark", EUROPE, "+45"),
    country("FI", "Finland", EUROPE, "+358"),
    country("PL", "Poland", EUROPE, "+48"),
    country("CZ", "Czech Republic", EUROPE, "+420"),
    country("GR", "Greece", EUROPE, "+30"),
    country("RO", "Romania", EUROPE, "+40"),
    country("UA", "Ukraine", EUROPE, "+380"),
    country("RU", "Russia/Kazakhstan", EUROPE, "+7"),
    country("TR", "Turkey", EUROPE, "+90"),
    country("IL", "Israel", MIDDLE_EAST, "+972"),
    country("AE", "United Arab Emirates", MIDDLE_EAST, "+971"),
    country("SA", "Saudi Arabia", MIDDLE_EAST, "+966"),
    country("IN", "India", ASIA, "+91"),
    country("CN", "China", ASIA, "+86"),
    country("JP", "Japan", ASIA, "+81"),
    country("KR", "Korea, Republic of", ASIA, "+82"),
    country("SG", "Singapore", ASIA, "+65"),
    country("HK", "Hong Kong", ASIA, "+852"),
    country("PH", "Philippines", ASIA, "+63"),
    country("AU", "Australia", OCEANIA, "+61"),
    country("NZ", "New Zealand", OCEANIA, "+64"),
    country("BR", "Brazil", SOUTH_AMERICA, "+55"),
    country("AR", "Argentina", SOUTH_AMERICA, "+54"),
    country("CO", "Colombia", SOUTH_AMERICA, "+57"),
    country("CL", "Chile", SOUTH_AMERICA, "+56"),
    country("ZA", "South Africa", AFRICA, "+27"),
    country("NG", "Nigeria", AFRICA, "+234"),
    country("EG", "Egypt", AFRICA, "+20"),
];

/// The country `number` (E.164) dials, if its calling code is in [`COUNTRIES`].
pub fn country_of(number: &str) -> Option<&'static Country> {
    COUNTRIES
        .iter()
        .filter(|c| number.starts_with(c.calling_code))
        .max_by_key(|c| c.calling_code.len())
}

/// The country with ISO code `iso_code` (any case).
pub fn by_iso_code(iso_code: &str) -> Option<&'static Country> {
    COUNTRIES
        .iter()
        .find(|c| c.iso_code.eq_ignore_ascii_case(iso_code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_calling_code_wins() {
        assert_eq!(country_of("+14155550100").unwrap().iso_code, "US");
        assert_eq!(country_of("+447700900123").unwrap().iso_code, "GB");
        assert_eq!(country_of("+35312345678").unwrap().iso_code, "IE");
        assert_eq!(country_of("+5371234567").unwrap().iso_code, "CU");
        assert_eq!(country_of("+2991234567"), None);
        assert_eq!(by_iso_code("cu").unwrap().calling_code, "+53");
        assert_eq!(by_iso_code("XX"), None);
    }

    #[test]
    fn iso_codes_and_calling_codes_are_unique() {
        for (i, a) in COUNTRIES.iter().enumerate() {
            for b in &COUNTRIES[i + 1..] {
                assert_ne!(a.iso_code, b.iso_code);
                assert_ne!(a.calling_code, b.calling_code);
            }
        }
    }
}
