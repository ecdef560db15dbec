//! A deterministic generator of realistic scraped-news articles, for tests, benchmarks, load
//! tests and fuzzing. A development crate: nothing shipped depends on it.
//!
//! The articles imitate what a Dossier corpus holds: English machine translations of
//! Russian-language news about Kazakhstan and its neighbours, with the page furniture the scraper
//! kept. Every analysis path gets work:
//! - prose from varied sentence templates, with people introduced by full name and role
//!   ("Kazakh political scientist Dosym Satpaev"), then by surname, possessive and spelling
//!   variant ("Satpaev's", "Satpayev"); organisations with their acronyms defined
//!   ("Organized Crime and Corruption Research Center (OCCRP)"), ministries, parties, places;
//! - Cyrillic photo captions with glued image numbers ("… Минск, 30 октября 2024 года4"), stray
//!   Cyrillic words in English sentences, words with a Cyrillic homoglyph;
//! - site chrome (subscribe bars, error-report notes, comment policies) shared by all articles of
//!   one site, so the corpus-level repeated-line census fills up; widgets (calendars, "Views: N",
//!   "Tags: , ,"), bylines and date lines, rubric lines;
//! - duplicated headlines, duplicated paragraphs and teasers, HTML entities and tags, mojibake,
//!   and articles that stop mid-sentence.
//!
//! Everything is a pure function of the seed (a private SplitMix64 generator): the same seed
//! gives the same text on every platform and release.
//!
//! ```
//! let a = dossier_testgen::article(7, 4_000);
//! assert_eq!(a, dossier_testgen::article(7, 4_000));
//! assert!(a.len() >= 4_000);
//! let docs = dossier_testgen::corpus(3, 1);
//! assert_eq!(docs.len(), 3);
//! ```

use encoding_rs::{WINDOWS_1251, WINDOWS_1252};

/// SplitMix64: tiny, fast, good enough for text generation, and stable.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 32).wrapping_mul(n as u64) >> 32) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// A person of the generator's world: given name, surname, a spelling variant of the surname,
/// the name in Cyrillic (when captions may show it) and roles.
struct Person {
    given: &'static str,
    surname: &'static str,
    variant: Option<&'static str>,
    cyrillic: Option<&'static str>,
    roles: &'static [&'static str],
}

const fn p(
    given: &'static str,
    surname: &'static str,
    variant: Option<&'static str>,
    cyrillic: Option<&'static str>,
    roles: &'static [&'static str],
) -> Person {
    Person { given, surname, variant, cyrillic, roles }
}

static FAMOUS: &[Person] = &[
    p("Kassym-Jomart", "Tokayev", Some("Tokaev"), Some("Касым-Жомарт Токаев"), &["President", "Kazakh President"]),
    p(
        "Nursultan",
        "Nazarbayev",
        Some("Nazarbaev"),
        Some("Нурсултан Назарбаев"),
        &["first President of Kazakhstan", "Elbasy"],
    ),
    p(
        "Imangali",
        "Tasmagambetov",
        None,
        Some("Имангали Тасмагамбетов"),
        &["Secretary General of the CSTO", "former akim of Almaty"],
    ),
    p(
        "Dosym",
        "Satpaev",
        Some("Satpayev"),
        Some("Досым Сатпаев"),
        &["Kazakh political scientist", "political scientist"],
    ),
    p("Alikhan", "Smailov", None, Some("Алихан Смаилов"), &["Prime Minister", "former Prime Minister"]),
    p("Olzhas", "Bektenov", None, Some("Олжас Бектенов"), &["Prime Minister", "head of government"]),
    p("Murat", "Nurtleu", None, None, &["head of the presidential administration", "Foreign Minister"]),
    p(
        "Viktor",
        "Khrenin",
        None,
        Some("Виктор Хренин"),
        &["Belarusian Defense Minister", "Minister of Defense of Belarus"],
    ),
    p(
        "Maulen",
        "Ashimbayev",
        Some("Ashimbaev"),
        Some("Маулен Ашимбаев"),
        &["Senate Speaker", "chairman of the Senate"],
    ),
    p("Akzhan", "Kazhegeldin", None, None, &["former Prime Minister", "opposition politician"]),
    p("Nurlan", "Nigmatulin", None, None, &["ex-speaker of the lower house of parliament", "oligarch"]),
    p("Yerlan", "Karin", None, Some("Ерлан Карин"), &["State Counselor", "political analyst"]),
    p("Sadyr", "Japarov", Some("Zhaparov"), Some("Садыр Жапаров"), &["President of Kyrgyzstan", "Kyrgyz President"]),
    p("Sergei", "Lavrov", None, Some("Сергей Лавров"), &["Russian Foreign Minister", "head of Russian diplomacy"]),
    p("Ainur", "Kurmanov", None, None, &["columnist", "author"]),
    p(
        "Rustam",
        "Abdrakhmanov",
        Some("Abdrahmanov"),
        None,
        &["Deputy Head of the Police Department", "police spokesman"],
    ),
];

static GIVEN: &[&str] = &[
    "Askar", "Bolat", "Daniyar", "Yerlan", "Kairat", "Marat", "Nurlan", "Serik", "Timur", "Zhandos", "Aidos",
    "Baurzhan", "Dauren", "Galym", "Kanat", "Talgat", "Arman", "Yerbol", "Sergei", "Dmitry", "Andrei", "Igor", "Oleg",
    "Pavel", "Vladimir", "Mikhail", "Alexei", "Nikolai", "Rustam", "Ruslan", "Almas", "Berik",
];
static GIVEN_F: &[&str] = &[
    "Aigerim", "Dinara", "Gulnara", "Saule", "Zhanna", "Assel", "Elena", "Olga", "Irina", "Tatiana", "Svetlana",
    "Aliya",
];
static SURNAMES: &[&str] = &[
    "Akhmetov",
    "Omarov",
    "Sultanov",
    "Karimov",
    "Bekov",
    "Zhumabayev",
    "Kusainov",
    "Baimukhanov",
    "Tulegenov",
    "Orazbayev",
    "Utemisov",
    "Mukanov",
    "Ibraimov",
    "Seitkaliyev",
    "Koshanov",
    "Yermekbayev",
    "Dzhaksybekov",
    "Sarsenov",
    "Ivanov",
    "Petrov",
    "Volkov",
    "Morozov",
    "Lebedev",
    "Sokolov",
    "Kuznetsov",
    "Kovalenko",
    "Shevchenko",
    "Sidorenko",
    "Bondarenko",
    "Tkachenko",
    "Abenov",
    "Nurpeisov",
    "Zhakupov",
    "Iskakov",
    "Kassymov",
    "Temirbayev",
];
static ROLES: &[&str] = &[
    "political scientist",
    "economist",
    "human rights activist",
    "lawyer",
    "deputy of the Mazhilis",
    "akim of Almaty",
    "akim of the Atyrau region",
    "Deputy Minister of Energy",
    "director of the Risk Assessment Group",
    "spokesperson for the Foreign Ministry",
    "journalist",
    "opposition politician",
    "chairman of the board",
    "analyst",
    "head of the regional police department",
    "blogger",
];
static ORGS: &[(&str, &str)] = &[
    ("Organized Crime and Corruption Research Center", "OCCRP"),
    ("Collective Security Treaty Organization", "CSTO"),
    ("Eurasian Economic Union", "EAEU"),
    ("Shanghai Cooperation Organization", "SCO"),
    ("National Security Committee", "KNB"),
    ("Commonwealth of Independent States", "CIS"),
    ("Organization for Security and Co-operation in Europe", "OSCE"),
    ("International Monetary Fund", "IMF"),
    ("European Bank for Reconstruction and Development", "EBRD"),
    ("Central Election Commission", "CEC"),
    ("Agency for Strategic Planning and Reforms", "ASPR"),
    ("Anti-Corruption Agency", "ACA"),
];
static MINISTRIES: &[&str] = &[
    "Ministry of Foreign Affairs of Kazakhstan",
    "Ministry of Energy",
    "Ministry of Internal Affairs",
    "Ministry of Defense of Russia",
    "Ministry of National Economy",
    "Ministry of Information and Social Development",
    "Ministry of Agriculture",
    "Prosecutor General's Office",
];
static PARTIES: &[&str] =
    &["Amanat party", "Nur Otan", "Ak Zhol party", "Respublica party", "Auyl party", "People's Party of Kazakhstan"];
static COUNTRIES: &[&str] = &[
    "Kazakhstan",
    "Russia",
    "Belarus",
    "Kyrgyzstan",
    "Tajikistan",
    "Uzbekistan",
    "China",
    "Ukraine",
    "Turkey",
    "the United States",
    "the UK",
    "Armenia",
    "Azerbaijan",
    "Georgia",
];
static CITIES: &[&str] = &[
    "Almaty",
    "Astana",
    "Nur-Sultan",
    "Shymkent",
    "Karaganda",
    "Aktobe",
    "Atyrau",
    "Pavlodar",
    "Semey",
    "Moscow",
    "Minsk",
    "Bishkek",
    "Tashkent",
    "Beijing",
    "Kyiv",
    "Ust-Kamenogorsk",
];
static REGIONS: &[&str] = &[
    "Atyrau region",
    "Mangystau region",
    "East Kazakhstan region",
    "Zhambyl region",
    "Almaty region",
    "Karaganda region",
    "Turkestan region",
];
static MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
static MONTHS_RU: &[&str] = &[
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
static CITIES_RU: &[&str] = &["Минск", "Астана", "Алматы", "Москва", "Бишкек", "Шымкент", "Ташкент"];
static ROLES_RU: &[&str] = &[
    "Генсек ОДКБ",
    "Министр обороны Беларуси",
    "Президент Казахстана",
    "Премьер-министр",
    "Аким Алматы",
    "Политолог",
    "Глава МИД",
];
static STRAY_RU: &[&str] = &["и", "в", "также", "заявил", "по данным", "однако", "акимат", "тенге", "т.е."];
static MOJIBAKE_SOURCES: &[&str] = &["Токаев", "Казахстан", "Назарбаев", "Алматы", "’"];
static TOPICS: &[&str] = &[
    "the draft budget",
    "gas prices",
    "the constitutional referendum",
    "early parliamentary elections",
    "the January events",
    "the construction of a nuclear power plant",
    "grain exports",
    "the new tax code",
    "water shortages in the south",
    "the language policy",
    "the pension reform",
    "transit through the Caspian Sea",
    "sanctions against Russia",
    "the privatisation programme",
];
static VERBS_SAID: &[&str] =
    &["said", "stated", "noted", "emphasized", "told reporters", "recalled", "added", "explained", "wrote on Telegram"];
static QUOTES: &[&str] = &[
    "We do not intend to change our position, and the government will continue the reforms",
    "The situation is under control, there is no reason for panic",
    "This decision was made taking into account the opinion of the population and experts",
    "It is clear that the position of the center has almost always coincided with the position of the Kremlin",
    "Such formulations are usually not used in the leadership of the country",
    "The trend towards further escalation of the situation continues",
    "Investors need predictable rules, not another round of inspections",
    "Nobody has ever voiced anything contrary to this line",
];

/// A news site: its domain and chrome, identical on every one of its pages.
struct Site {
    domain: &'static str,
    brand: &'static str,
    subscribe: &'static str,
}

static SITES: &[Site] = &[
    Site {
        domain: "politnavigator.net",
        brand: "PolitNavigator",
        subscribe: "Subscribe to PolitNavigator news at ThereThere, Yandex Zen, Telegram, Classmates, In contact with, channels YouTube, TikTok и Viber.",
    },
    Site {
        domain: "otenge.com",
        brand: "Otenge",
        subscribe: "Subscribe to our Telegram channel to be the first to know the main news of Kazakhstan",
    },
    Site {
        domain: "azattyq.org",
        brand: "Azattyq",
        subscribe: "Subscribe to Azattyq news on Telegram and WhatsApp",
    },
    Site {
        domain: "kursiv.media",
        brand: "Kursiv",
        subscribe: "Subscribe to Kursiv news in Telegram, Instagram and Facebook",
    },
    Site {
        domain: "tengrinews.kz",
        brand: "Tengrinews",
        subscribe: "Subscribe to Tengrinews.kz news at Yandex Zen and Telegram.",
    },
];

static CHROME: &[&str] = &[
    "If you find an error, please select a piece of text and press Ctrl + Enter.",
    "Share this article:",
    "Read also:",
    "Dear Readers, At the request of Roskomnadzor, the rules for publishing comments are being tightened.",
    "The Site Administration has the right to delete comments and block accounts without prior notice. Thank you for understanding!",
    "Placing links to third-party resources prohibited!",
    "Thank you!",
    "Now the editors are aware.",
    "All rights reserved. Any use of materials is allowed only with a hyperlink to the source.",
    "Comments on the article",
];

/// Given name, surname, spelling variant of the surname, role, name in Cyrillic.
type Member = (String, String, Option<String>, String, Option<String>);

struct Cast {
    /// The people of this article, famous or generated.
    people: Vec<Member>,
    /// How often each person has been mentioned so far in this article.
    seen: Vec<usize>,
    orgs: Vec<usize>,
    orgs_seen: Vec<bool>,
}

impl Cast {
    fn new(rng: &mut Rng) -> Cast {
        let mut people = Vec::new();
        for _ in 0..rng.range(2, 4) {
            let f = rng.pick(FAMOUS);
            people.push((
                f.given.to_string(),
                f.surname.to_string(),
                f.variant.map(str::to_string),
                rng.pick(f.roles).to_string(),
                f.cyrillic.map(str::to_string),
            ));
        }
        for _ in 0..rng.range(1, 4) {
            let female = rng.chance(30);
            let given = if female { rng.pick(GIVEN_F) } else { rng.pick(GIVEN) };
            let base = rng.pick(SURNAMES);
            let surname = if female && (base.ends_with("ov") || base.ends_with("ev")) {
                format!("{base}a")
            } else {
                base.to_string()
            };
            people.push((given.to_string(), surname, None, rng.pick(ROLES).to_string(), None));
        }
        people.sort();
        people.dedup_by(|a, b| a.1 == b.1);
        let orgs = (0..rng.range(1, 3)).map(|_| rng.below(ORGS.len())).collect();
        Cast { seen: vec![0; people.len()], orgs_seen: vec![false; ORGS.len()], people, orgs }
    }

    /// A mention of person `i`: full name with role the first time, then surname, possessive or
    /// spelling variant.
    fn person(&mut self, rng: &mut Rng, i: usize) -> String {
        let (given, surname, variant, role, _) = &self.people[i];
        self.seen[i] += 1;
        if self.seen[i] == 1 {
            return match rng.below(3) {
                0 => format!("{role} {given} {surname}"),
                1 => format!("{given} {surname}, {role},"),
                _ => format!("{given} {surname}"),
            };
        }
        match (rng.below(10), variant) {
            (0, Some(v)) => v.clone(),
            (1, _) => format!("{given} {surname}"),
            _ => surname.clone(),
        }
    }

    fn possessive(&mut self, rng: &mut Rng, i: usize) -> String {
        if self.seen[i] == 0 {
            return format!("{}'s", self.person(rng, i).trim_end_matches(','));
        }
        self.seen[i] += 1;
        format!("{}'s", self.people[i].1)
    }

    fn org(&mut self, rng: &mut Rng) -> String {
        let k = *rng.pick(&self.orgs);
        let (long, short) = ORGS[k];
        if !self.orgs_seen[k] {
            self.orgs_seen[k] = true;
            format!("the {long} ({short})")
        } else if rng.chance(80) {
            format!("the {short}")
        } else {
            format!("the {long}")
        }
    }
}

fn date(rng: &mut Rng) -> (usize, usize, usize) {
    (rng.range(1, 28), rng.below(12), rng.range(2014, 2025))
}

/// One sentence of prose.
fn sentence(rng: &mut Rng, cast: &mut Cast) -> String {
    let n = cast.people.len();
    let a = rng.below(n);
    let b = (a + 1 + rng.below(n - 1)) % n;
    let topic = *rng.pick(TOPICS);
    let city = *rng.pick(CITIES);
    let country = *rng.pick(COUNTRIES);
    let (d, m, y) = date(rng);
    match rng.below(18) {
        0 => format!("“{},” {} {}.", rng.pick(QUOTES), cast.person(rng, a), rng.pick(VERBS_SAID)),
        1 => format!("According to {}, {} discussed {topic} with {} in {city}.", cast.org(rng), cast.person(rng, a), cast.person(rng, b)),
        2 => format!("On {} {d}, {y}, {} arrived in {city} for talks on {topic}.", MONTHS[m], cast.person(rng, a)),
        3 => format!("{} position on {topic} has not changed since {y}.", cast.possessive(rng, a)),
        4 => format!(
            "The {} reported that {} million tenge had been allocated for {topic} in the {}.",
            rng.pick(MINISTRIES),
            rng.range(3, 900),
            rng.pick(REGIONS)
        ),
        5 => format!("Representatives of the {} in {city} declined to comment on {topic}.", rng.pick(PARTIES)),
        6 => format!(
            "{} recalled that {country} and {} signed an agreement on {topic} back in {y}.",
            cast.person(rng, a),
            rng.pick(COUNTRIES)
        ),
        7 => format!(
            "Earlier, {} published an investigation about {} assets in {country}.",
            cast.org(rng),
            cast.possessive(rng, b)
        ),
        8 => format!(
            "In {city}, about {} people gathered near the akimat, demanding a meeting with {}.",
            rng.range(20, 3000),
            cast.person(rng, a)
        ),
        9 => format!(
            "Experts interviewed by {} believe that {topic} will be the main issue of the autumn session of parliament.",
            rng.pick(SITES).brand
        ),
        10 => format!(
            "{} {} that {} had never discussed {topic} with {country}.",
            cast.person(rng, a),
            rng.pick(VERBS_SAID),
            cast.person(rng, b)
        ),
        11 => format!(
            "The {} of {country} grew by {}.{} percent in the first {} months of {y}, the {} said.",
            rng.pick(&["economy", "inflation", "trade turnover", "budget deficit"]),
            rng.range(0, 14),
            rng.range(0, 9),
            rng.range(2, 11),
            rng.pick(MINISTRIES)
        ),
        12 => format!(
            "Since the collapse of the USSR, {country} has tried to maneuver between Moscow, Beijing and the West, \
             although it has become increasingly difficult to balance recently."
        ),
        13 => format!(
            "A week later, during a press conference in {city}, {} said that there are no analogues to this decision \
             and reminded that {} had recently updated its doctrine.",
            cast.person(rng, a),
            country
        ),
        14 => format!(
            "Members of {} (the organization also includes {}, {} and {}) met in {city} on {} {d}.",
            cast.org(rng),
            rng.pick(COUNTRIES),
            rng.pick(COUNTRIES),
            rng.pick(COUNTRIES),
            MONTHS[m]
        ),
        15 => format!(
            "It is no coincidence that {} {} the {} after the events in the {}.",
            cast.person(rng, a),
            rng.pick(&["left", "criticized", "joined", "defended"]),
            rng.pick(PARTIES),
            rng.pick(REGIONS)
        ),
        16 => format!("— {}, — {} noted.", rng.pick(QUOTES), cast.person(rng, b)),
        _ => format!(
            "{} has repeatedly publicly emphasized loyalty to {}, {} said.",
            cast.person(rng, a),
            cast.person(rng, b),
            rng.pick(&["sources", "observers", "colleagues", "critics"])
        ),
    }
}

/// A paragraph of prose, sometimes with a blemish (stray Cyrillic word, homoglyph, entity,
/// tag, mojibake).
fn paragraph(rng: &mut Rng, cast: &mut Cast) -> String {
    let mut out = String::new();
    for k in 0..rng.range(2, 6) {
        if k > 0 {
            out.push(' ');
        }
        let s = sentence(rng, cast);
        let mut cs = s.chars();
        if let Some(c) = cs.next() {
            out.extend(c.to_uppercase());
            out.push_str(cs.as_str());
        }
    }
    match rng.below(25) {
        0 => {
            // a stray Cyrillic word in place of a short English one
            if let Some(i) = out.find(" and ") {
                out.replace_range(i..i + 5, &format!(" {} ", rng.pick(STRAY_RU)));
            }
        }
        1 => {
            // a Cyrillic homoglyph inside a Latin word
            if let Some(i) = out.find("Kazakhstan") {
                out.replace_range(i + 1..i + 2, "а");
            } else if let Some(i) = out.find(" the ") {
                out.replace_range(i + 3..i + 4, "е");
            }
        }
        2 => {
            let e = *rng.pick(&["&nbsp;", "&quot;", "&amp;", "&#8212;", "&laquo;", "&raquo;"]);
            if let Some(i) = out.find(", ") {
                out.insert_str(i + 1, e);
            }
        }
        3 => out.push_str(rng.pick::<&str>(&["<br>", "</p>", "<br />", "<strong>Read more</strong>"])),
        4 => {
            let src = *rng.pick(MOJIBAKE_SOURCES);
            let enc = if rng.chance(50) { WINDOWS_1251 } else { WINDOWS_1252 };
            let (bad, _) = enc.decode_without_bom_handling(src.as_bytes());
            if let Some(i) = out.find(". ") {
                out.insert_str(i + 2, &format!("{bad}: "));
            } else {
                out.push_str(&format!(" {bad}"));
            }
        }
        // a footnote index glued to the last word
        5 if out.ends_with('.') => {
            out.pop();
            out.push_str(&rng.range(1, 9).to_string());
        }
        _ => {}
    }
    out
}

/// A Cyrillic photo caption: "Генсек ОДКБ Имангали Тасмагамбетов (слева) и … Минск, 30 октября 2024 года4".
fn caption(rng: &mut Rng, cast: &Cast) -> String {
    let cyr: Vec<&String> = cast.people.iter().filter_map(|p| p.4.as_ref()).collect();
    let name = |rng: &mut Rng| -> String {
        if cyr.is_empty() {
            rng.pick(FAMOUS).cyrillic.unwrap_or("Имангали Тасмагамбетов").to_string()
        } else {
            rng.pick(&cyr).to_string()
        }
    };
    let (d, m, y) = date(rng);
    let first = format!("{} {}", rng.pick(ROLES_RU), name(rng));
    let mut s = if rng.chance(50) {
        let second = format!("{} {}", rng.pick(ROLES_RU).to_lowercase(), name(rng));
        format!("{first} (слева) и {second}. {}, {d} {} {y} года", rng.pick(CITIES_RU), MONTHS_RU[m])
    } else {
        format!("{first} во время брифинга. {}, {d} {} {y} года", rng.pick(CITIES_RU), MONTHS_RU[m])
    };
    if rng.chance(60) {
        s.push_str(&rng.range(1, 9).to_string());
    }
    s
}

fn calendar(rng: &mut Rng) -> String {
    let m = rng.below(12);
    let y = rng.range(2019, 2025);
    format!(
        "  • {} {y}\n    Mon Tues Wed Thurs Fri Sat Total\n    \" {}    \n     12345\n    6789101112\n    13141516171819\n    20212223242526\n    2728293031  \n",
        MONTHS[m],
        MONTHS[(m + 11) % 12]
    )
}

/// A generated article of about `target_bytes` bytes (at least `target_bytes`, a few hundred
/// bytes more at most, for targets of 1 KB and more).
pub fn article(seed: u64, target_bytes: usize) -> String {
    build(seed, target_bytes, None)
}

/// An article like [`article`] in which the person `given surname` is introduced by full name and
/// then mentioned by surname at least `mentions` times in total.
pub fn article_featuring(seed: u64, target_bytes: usize, given: &str, surname: &str, mentions: usize) -> String {
    build(seed, target_bytes, Some((given, surname, mentions)))
}

/// A featured person: given name, surname, and how often the surname is mentioned in all.
type Featured<'a> = Option<(&'a str, &'a str, usize)>;

fn build(seed: u64, target_bytes: usize, featured: Featured) -> String {
    let mut rng = Rng::new(seed);
    let site = rng.pick(SITES);
    let mut cast = Cast::new(&mut rng);
    let mut out = String::with_capacity(target_bytes + 2048);
    header(&mut rng, site, &cast, featured, &mut out);
    body(&mut rng, site, &mut cast, featured, target_bytes, &mut out);
    ending(&mut rng, site, target_bytes, &mut out);
    out
}

/// Domain, headline (often twice), byline and date lines.
fn header(rng: &mut Rng, site: &Site, cast: &Cast, featured: Featured, out: &mut String) {
    let headline = {
        let i = rng.below(cast.people.len());
        let (given, surname, ..) = cast.people[i].clone();
        match rng.below(3) {
            0 => format!("{}: {surname} is in a hurry to strengthen power", rng.pick(COUNTRIES)),
            1 => format!("From {} to {}: the journey of {given} {surname}", rng.pick(CITIES), rng.pick(CITIES)),
            _ => format!("{} to discuss {} in {}", rng.pick(PARTIES), rng.pick(TOPICS), rng.pick(CITIES)),
        }
    };
    if rng.chance(40) {
        out.push_str(site.domain);
        out.push_str("\n\n");
    }
    out.push_str(&headline);
    out.push_str("\n\n");
    if rng.chance(50) {
        out.push_str(&headline);
        out.push_str(".\n\n");
    }
    let (d, m, y) = date(rng);
    match rng.below(3) {
        0 => {
            let author = format!("{} {}", rng.pick(GIVEN), rng.pick(SURNAMES));
            out.push_str(&format!(
                "{author}.  \n{d:02}.{:02}.{y} {:02}:{:02}\n  (Moscow time), Moscow\nViews: {}\n \n",
                m + 1,
                rng.below(24),
                rng.below(60),
                rng.range(10, 99_999)
            ));
            out.push_str(&format!(
                "Author column, {}, {}, Policy, Story of the day\n\n\n",
                rng.pick(COUNTRIES),
                rng.pick(COUNTRIES)
            ));
        }
        1 => out.push_str(&format!(
            "By {} {}\n{} {d}, {y}, {:02}:{:02}\n\n",
            rng.pick(GIVEN),
            rng.pick(SURNAMES),
            MONTHS[m],
            rng.below(24),
            rng.below(60)
        )),
        _ => {}
    }
    if let Some((given, surname, _)) = featured {
        out.push_str(&format!(
            "Kazakh political scientist {given} {surname} commented on the situation to {}.\n\n",
            site.brand
        ));
    }
}

/// Paragraphs up to the target size: prose, captions, chrome, duplicates and teasers.
fn body(rng: &mut Rng, site: &Site, cast: &mut Cast, featured: Featured, target_bytes: usize, out: &mut String) {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut featured_left = featured.map_or(0, |f| f.2.saturating_sub(1));
    let tail_reserve = 700;
    let body_target = target_bytes.saturating_sub(tail_reserve).max(300);
    let mut since_chrome = 0;
    while out.len() < body_target || featured_left > 0 {
        since_chrome += 1;
        let mut para = match rng.below(40) {
            0 if !paragraphs.is_empty() => rng.pick(&paragraphs).clone(), // duplicate paragraph
            1 | 2 => caption(rng, cast),
            3 if since_chrome > 6 => {
                since_chrome = 0;
                site.subscribe.to_string()
            }
            4 if !paragraphs.is_empty() => {
                // a teaser of another paragraph
                let src = rng.pick(&paragraphs).clone();
                let words: Vec<&str> = src.split_whitespace().collect();
                if words.len() > 14 {
                    format!("{}...", words[..rng.range(8, 14)].join(" "))
                } else {
                    paragraph(rng, cast)
                }
            }
            _ => paragraph(rng, cast),
        };
        if let Some((_, surname, _)) = featured {
            let k = featured_left.min(rng.range(1, 3));
            for _ in 0..k {
                para.push_str(&format!(
                    " {surname} {}.",
                    rng.pick(&["agreed", "disagreed", "insisted", "declined to comment"])
                ));
            }
            featured_left -= k;
        }
        out.push_str(&para);
        out.push_str(if rng.chance(10) { "\r\n\r\n" } else { "\n\n" });
        paragraphs.push(para);
        if paragraphs.len() > 64 {
            paragraphs.swap_remove(rng.below(64));
        }
    }
}

/// Sometimes a cut mid-sentence, then chrome and widgets up to the target size.
fn ending(rng: &mut Rng, site: &Site, target_bytes: usize, out: &mut String) {
    if rng.chance(15) {
        let cut = out.trim_end().rfind(' ').unwrap_or(out.len());
        out.truncate(cut);
        out.push_str("\n\n");
    }
    out.push_str(CHROME[0]);
    out.push_str("\n\n");
    match rng.below(3) {
        0 => out.push_str("Tags: , ,\n\n"),
        1 => out.push_str(&format!("Tags: {}, {}, {}\n\n", rng.pick(COUNTRIES), rng.pick(TOPICS), rng.pick(CITIES))),
        _ => out.push_str(&format!("Views: {}\n\n", rng.range(10, 99_999))),
    }
    for _ in 0..rng.range(1, 4) {
        out.push_str(rng.pick::<&str>(&CHROME[1..]));
        out.push_str("\n\n");
    }
    if rng.chance(35) {
        out.push_str(&calendar(rng));
        out.push_str(&format!("  • {}\n", site.subscribe.trim_end_matches('.')));
    }
    while out.len() < target_bytes {
        out.push_str(rng.pick::<&str>(&CHROME[1..]));
        out.push('\n');
    }
}

/// Size in bytes of the `i`-th article of a corpus: mostly 2–4 KB, some up to 10 KB, a few up to
/// 50 KB (about 4.5 KB on average).
fn corpus_size(rng: &mut Rng) -> usize {
    match rng.below(100) {
        0..=79 => rng.range(2_000, 4_000),
        80..=96 => rng.range(4_000, 10_000),
        _ => rng.range(10_000, 48_000),
    }
}

/// `n` articles of 2–50 KB with file names like `00042_9f1c2e3a4b5d6e7f.txt`.
pub fn corpus(n: usize, seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let s = rng.next_u64();
            let size = corpus_size(&mut rng);
            (format!("{i:05}_{s:016x}.txt"), article(s, size))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic() {
        assert_eq!(article(42, 5_000), article(42, 5_000));
        assert_ne!(article(42, 5_000), article(43, 5_000));
        assert_eq!(corpus(20, 9), corpus(20, 9));
        assert_eq!(
            article_featuring(1, 3_000, "Dosym", "Satpaev", 50),
            article_featuring(1, 3_000, "Dosym", "Satpaev", 50)
        );
    }

    #[test]
    fn sizes_are_bounded() {
        for seed in 0..200 {
            for target in [2_000, 10_000, 50_000] {
                let a = article(seed, target);
                assert!(a.len() >= target && a.len() < target + 3_000, "{seed} {target} {}", a.len());
            }
        }
        let big = article(5, 1 << 20);
        assert!(big.len() >= 1 << 20 && big.len() < (1 << 20) + 3_000);
        let c = corpus(500, 3);
        assert!(c.iter().all(|(_, t)| (2_000..=51_200).contains(&t.len())));
        let mean = c.iter().map(|(_, t)| t.len()).sum::<usize>() / c.len();
        assert!((3_000..7_000).contains(&mean), "{mean}");
        let mut names: Vec<_> = c.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 500);
    }

    #[test]
    fn every_feature_occurs() {
        let all: String = corpus(300, 11).into_iter().map(|(_, t)| t).collect();
        let features = [
            "political scientist",
            "(OCCRP)",
            "Ministry of",
            "Kazakhstan",
            "Tokaev",
            "Tokayev",
            "'s ",
            "(слева) и",
            " года",
            "Subscribe to",
            "press Ctrl + Enter",
            "Views: ",
            "Tags: , ,",
            "Mon Tues Wed Thurs Fri Sat Total",
            "(Moscow time), Moscow",
            "&nbsp;",
            "<br>",
            "Ð",
            "Р",
            "Kаzakhstan",
            "...\n",
            "\r\n",
            " и ",
            "akim",
        ];
        for f in features {
            assert!(all.contains(f), "missing {f:?}");
        }
    }

    #[test]
    fn featured_person_is_mentioned_often_enough() {
        let a = article_featuring(3, 2_000, "Dosym", "Satpaev", 40);
        assert!(a.matches("Satpaev").count() >= 40);
        assert!(a.contains("Dosym Satpaev"));
    }
}
