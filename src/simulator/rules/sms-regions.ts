// Klaviyo refuses an SMS subscribe with 400 when the account has no sending number for the phone's region
// (klaviyo-rules.md: SDK changelogs for revision 2024-05-15; it used to be a silent 202). A client cannot know
// in advance which regions an account can text. The region comes from the E.164 calling code.

/** Calling codes of the regions the simulator knows, longest first, each with its ISO 3166 alpha-2 code. */
const CALLING_CODES: ReadonlyArray<readonly [prefix: string, country: string]> = [
  ['+353', 'IE'], ['+351', 'PT'], ['+358', 'FI'],
  ['+44', 'GB'], ['+48', 'PL'], ['+49', 'DE'], ['+33', 'FR'], ['+34', 'ES'], ['+39', 'IT'], ['+31', 'NL'], ['+32', 'BE'],
  ['+41', 'CH'], ['+43', 'AT'], ['+45', 'DK'], ['+46', 'SE'], ['+47', 'NO'], ['+55', 'BR'], ['+52', 'MX'], ['+61', 'AU'],
  ['+64', 'NZ'], ['+81', 'JP'], ['+82', 'KR'], ['+86', 'CN'], ['+91', 'IN'], ['+27', 'ZA'],
  ['+1', 'US'],
];

/** The region of an E.164 number, or undefined for a calling code the simulator does not know. */
export function regionOf(phone: string): string | undefined {
  return CALLING_CODES.find(([prefix]) => phone.startsWith(prefix))?.[1];
}

/** Why Klaviyo would refuse an SMS subscribe for this number, or undefined when it would not. */
export function smsRegionRefusal(phone: string, countries: ReadonlySet<string> | undefined): string | undefined {
  if (countries === undefined) return undefined;
  const region = regionOf(phone);
  // +1 covers the US and Canada, and one sending number serves both.
  const served = region !== undefined && (countries.has(region) || (region === 'US' && countries.has('CA')));
  return served ? undefined : `This account has no SMS sending number for the region of '${phone}'${region ? ` (${region})` : ''}; it cannot be subscribed to SMS.`;
}
