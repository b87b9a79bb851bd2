// Word lists for generated profiles. Names carry their ASCII spelling for the email local part, and
// deliberately include diacritics, other scripts and apostrophes that a connector must pass through intact.

export const FIRST_NAMES: ReadonlyArray<readonly [display: string, ascii: string]> = [
  ['Sarah', 'sarah'], ['Zoë', 'zoe'], ['Łukasz', 'lukasz'], ['李', 'li'], ['José', 'jose'],
  ['Ahmed', 'ahmed'], ['Søren', 'soren'], ['Aoife', 'aoife'], ['Björk', 'bjork'], ['Ngọc', 'ngoc'],
  ['Олег', 'oleg'], ['Fatima', 'fatima'], ['Jürgen', 'jurgen'], ['Renée', 'renee'], ['Mia', 'mia'],
  ['Chloé', 'chloe'], ['Dmitri', 'dmitri'], ['Ana', 'ana'], ['Kenji', 'kenji'], ['Siobhán', 'siobhan'],
  ['Mohammed', 'mohammed'], ['Émile', 'emile'], ['Priya', 'priya'], ['Noah', 'noah'], ['Ingrid', 'ingrid'],
  ['Tomás', 'tomas'], ['Yuki', 'yuki'], ['Olivia', 'olivia'], ['Çağla', 'cagla'], ['Liam', 'liam'],
];

export const LAST_NAMES: ReadonlyArray<readonly [display: string, ascii: string]> = [
  ['Mason', 'mason'], ['Nowak', 'nowak'], ['王', 'wang'], ['García', 'garcia'], ['Müller', 'muller'],
  ["O'Brien", 'obrien'], ['Ødegaard', 'odegaard'], ['Nguyễn', 'nguyen'], ['Smith', 'smith'],
  ['Иванов', 'ivanov'], ['Dubois', 'dubois'], ['Kowalski', 'kowalski'], ['Silva', 'silva'],
  ['Takahashi', 'takahashi'], ['Johansson', 'johansson'], ['Okafor', 'okafor'], ['Papadopoulos', 'papadopoulos'],
  ['Fernández', 'fernandez'], ['Schröder', 'schroder'], ['Kim', 'kim'], ['Rossi', 'rossi'],
  ['van der Berg', 'vanderberg'], ['Yılmaz', 'yilmaz'], ['Brown', 'brown'], ['Haddad', 'haddad'],
];

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net', 'klaviyo-demo.com', 'mail.example.co.uk'] as const;

export const ORGANIZATIONS = ['Example Corporation', 'Acme Inc.', 'Globex GmbH', 'Initech', 'Société Générale d’Exemple', '株式会社サンプル'] as const;

export const TITLES = ['Regional Manager', 'Engineer', 'Buyer', 'Head of Growth', 'Student', 'Designer'] as const;

export const LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'pl-PL', 'zh-CN', 'ja-JP', 'pt-BR'] as const;

export interface Place {
  city: string;
  region: string | null;
  country: string;
  zip: string;
  timezone: string;
  latitude: number;
  longitude: number;
  phonePrefix: string;
  phoneDigits: number;
}

export const PLACES: readonly Place[] = [
  { city: 'New York', region: 'NY', country: 'United States', zip: '10017', timezone: 'America/New_York', latitude: 40.7128, longitude: -74.006, phonePrefix: '+1212', phoneDigits: 7 },
  { city: 'Boston', region: 'MA', country: 'United States', zip: '02110', timezone: 'America/New_York', latitude: 42.3601, longitude: -71.0589, phonePrefix: '+1617', phoneDigits: 7 },
  { city: 'London', region: null, country: 'United Kingdom', zip: 'EC1A 1BB', timezone: 'Europe/London', latitude: 51.5072, longitude: -0.1276, phonePrefix: '+447', phoneDigits: 9 },
  { city: 'Kraków', region: 'Małopolskie', country: 'Poland', zip: '30-001', timezone: 'Europe/Warsaw', latitude: 50.0647, longitude: 19.945, phonePrefix: '+485', phoneDigits: 8 },
  { city: 'München', region: 'Bayern', country: 'Germany', zip: '80331', timezone: 'Europe/Berlin', latitude: 48.1351, longitude: 11.582, phonePrefix: '+4915', phoneDigits: 9 },
  { city: 'São Paulo', region: 'SP', country: 'Brazil', zip: '01000-000', timezone: 'America/Sao_Paulo', latitude: -23.5505, longitude: -46.6333, phonePrefix: '+55119', phoneDigits: 8 },
  { city: '東京', region: '東京都', country: 'Japan', zip: '100-0001', timezone: 'Asia/Tokyo', latitude: 35.6762, longitude: 139.6503, phonePrefix: '+8190', phoneDigits: 8 },
  { city: 'Paris', region: 'Île-de-France', country: 'France', zip: '75001', timezone: 'Europe/Paris', latitude: 48.8566, longitude: 2.3522, phonePrefix: '+336', phoneDigits: 8 },
];

export const STREETS = ['89 E 42nd St', 'ul. Floriańska 12', '221B Baker Street', 'Marienplatz 8', 'Rua Augusta 1500', '1-1 Chiyoda'] as const;

export const EMAIL_METHODS = ['FORM', 'PREFERENCE_PAGE', 'API', 'IMPORT', 'CHECKOUT', 'MANUAL_ADD', 'BACK_IN_STOCK'] as const;
export const EMAIL_METHOD_DETAILS = ['mydomain.com/signup', 'Welcome popup', 'Footer form', 'shopify', ''] as const;
export const EMAIL_UNSUBSCRIBE_METHODS = ['PREFERENCE_PAGE', 'API', 'UNSUBSCRIBE_LINK', 'MANUAL_REMOVE'] as const;
export const CUSTOM_METHOD_DETAILS = ['marketing drive', 'spring sale 2025', 'in-store tablet', 'Zoë’s referral'] as const;
export const SMS_METHODS = ['TEXT', 'FORM', 'API', 'CHECKOUT', 'IMPORT'] as const;
export const SMS_METHOD_DETAILS = ['JOIN', 'Keyword: SALE', 'mydomain.com/sms', ''] as const;

export const SUPPRESSION_REASONS = ['HARD_BOUNCE', 'INVALID_EMAIL', 'SPAM_COMPLAINT', 'UNSUBSCRIBE', 'USER_SUPPRESSED'] as const;
export const LIST_SUPPRESSION_REASONS = ['USER_SUPPRESSED', 'UNSUBSCRIBE'] as const;
