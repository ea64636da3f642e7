import type { LeadInput } from '../core/lead-input.js';
import { COMPANY_SIZES, type CompanySize } from '../core/types.js';
import { Random } from '../core/random.js';

/**
 * Realistic, varied B2B leads for demos and benchmarks: a German/European SaaS sales team's
 * inbound mix. Deterministic for a seed. Built for throughput (a million leads in about a
 * second): every list, weight table and slug is precomputed at module load, so the per-lead
 * work is a few dozen random draws and string concatenations, with no regexes.
 */

// ---------------------------------------------------------------------------------------------
// Helpers (module-load time only)

/** A word with its e-mail/domain-safe form precomputed, so no lead pays for transliteration. */
interface Word {
  text: string;
  slug: string;
}

const SPECIAL_LETTERS: Record<string, string> = {
  ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss', æ: 'ae', ø: 'oe', å: 'aa', œ: 'oe',
  ł: 'l', ı: 'i', đ: 'd', ð: 'd', þ: 'th',
};

/** Lowercase ASCII letters and digits only: "Müller" → "mueller", "O'Brien" → "obrien". */
function slugify(text: string): string {
  let out = '';
  for (const ch of text.toLowerCase()) {
    const special = SPECIAL_LETTERS[ch];
    out += special ?? ch;
  }
  // NFD splits "é" into "e" + combining accent; then anything not [a-z0-9] goes.
  out = out.normalize('NFD').replace(/[^a-z0-9]/g, '');
  if (out.length === 0) throw new Error(`demo-leads: "${text}" has no ASCII form`);
  return out;
}

function words(list: readonly string[]): Word[] {
  return list.map((text) => ({ text, slug: slugify(text) }));
}

/** Weighted choice over a fixed list, with cumulative weights precomputed once. */
class Weighted<T> {
  private readonly items: T[];
  private readonly cum: Float64Array;
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.items = entries.map(([item]) => item);
    this.cum = new Float64Array(entries.length);
    let total = 0;
    entries.forEach(([, w], i) => {
      if (!(w >= 0)) throw new Error(`demo-leads: bad weight ${w}`);
      total += w;
      this.cum[i] = total;
    });
    if (!(total > 0)) throw new Error('demo-leads: empty weight table');
    this.total = total;
  }

  draw(rng: Random): T {
    const r = rng.next() * this.total;
    const cum = this.cum;
    const last = cum.length - 1;
    for (let i = 0; i < last; i++) if (r < (cum[i] as number)) return this.items[i] as T;
    return this.items[last] as T;
  }
}

// ---------------------------------------------------------------------------------------------
// People

interface NamePool {
  male: Word[];
  female: Word[];
  last: Word[];
  /** Female surname forms, parallel to `last`, for languages that inflect them (Czech, Slovak). */
  lastFemale: Word[] | null;
  /** Surnames as they open a company name ("van den Berg" → "Van den Berg"). */
  lastCap: Word[];
}

function pool(male: string[], female: string[], last: string[], lastFemale?: string[]): NamePool {
  if (lastFemale && lastFemale.length !== last.length) throw new Error('demo-leads: surname forms mismatch');
  return {
    male: words(male),
    female: words(female),
    last: words(last),
    lastFemale: lastFemale ? words(lastFemale) : null,
    lastCap: words(last.map((s) => s.charAt(0).toUpperCase() + s.slice(1))),
  };
}

const DE = pool(
  ['Lukas', 'Maximilian', 'Jonas', 'Felix', 'Tobias', 'Florian', 'Sebastian', 'Jan', 'Matthias', 'Stefan',
    'Michael', 'Thomas', 'Markus', 'Alexander', 'Daniel', 'Philipp', 'Moritz', 'Jörg', 'Jürgen', 'Björn',
    'Sören', 'Kai', 'Henrik', 'Carsten', 'Andreas', 'Christian', 'Martin', 'Frank', 'Uwe', 'Ralf',
    'Niklas', 'Leon', 'Paul', 'Benedikt', 'Dominik', 'Fabian', 'Oliver', 'Patrick', 'Simon', 'Valentin'],
  ['Anna', 'Julia', 'Laura', 'Sarah', 'Katharina', 'Lena', 'Sophie', 'Marie', 'Johanna', 'Christina',
    'Sabine', 'Andrea', 'Claudia', 'Nicole', 'Birgit', 'Jana', 'Franziska', 'Hannah', 'Ute', 'Maren',
    'Frauke', 'Nele', 'Ines', 'Susanne', 'Stefanie', 'Melanie', 'Kerstin', 'Anja', 'Carolin', 'Theresa',
    'Lea', 'Miriam', 'Verena', 'Svenja', 'Annika', 'Corinna', 'Elisabeth', 'Petra', 'Tanja', 'Vanessa'],
  ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann',
    'Schäfer', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann',
    'Braun', 'Krüger', 'Hofmann', 'Hartmann', 'Lange', 'Schmitt', 'Werner', 'Schmitz', 'Krause', 'Meier',
    'Lehmann', 'Schmid', 'Schulze', 'Maier', 'Köhler', 'Herrmann', 'König', 'Walter', 'Mayer', 'Huber',
    'Kaiser', 'Fuchs', 'Peters', 'Lang', 'Scholz', 'Möller', 'Weiß', 'Jung', 'Hahn', 'Schubert',
    'Vogel', 'Friedrich', 'Keller', 'Günther', 'Frank', 'Berger', 'Winkler', 'Roth', 'Beck', 'Lorenz',
    'Baumann', 'Franke', 'Albrecht', 'Schuster', 'Ludwig', 'Böhm', 'Winter', 'Kraus', 'Schumacher', 'Krämer',
    'Vogt', 'Stein', 'Jäger', 'Otto', 'Sommer', 'Groß', 'Seidel', 'Heinrich', 'Brandt', 'Haas',
    'Schreiber', 'Graf', 'Schulte', 'Dietrich', 'Ziegler', 'Kuhn', 'Pohl', 'Engel', 'Horn', 'Busch',
    'Bergmann', 'Voigt', 'Sauer', 'Arnold', 'Pfeiffer', 'Kessler', 'Brenner', 'Lindner', 'Ebert', 'Hübner',
    'Gruber', 'Wallner', 'Egger', 'Brunner', 'Baumgartner', 'Steiner', 'Moser', 'Hofer', 'Leitner', 'Wieser'],
);

const NL = pool(
  ['Daan', 'Sem', 'Lucas', 'Bram', 'Thijs', 'Ruben', 'Jeroen', 'Pieter', 'Joost', 'Maarten', 'Wouter', 'Niels',
    'Koen', 'Stijn', 'Wim', 'Bart', 'Sander', 'Tom', 'Jasper', 'Wout'],
  ['Femke', 'Sanne', 'Lotte', 'Anouk', 'Eva', 'Marloes', 'Inge', 'Lieke', 'Fleur', 'Esther', 'Ilse', 'Mirjam',
    'Noor', 'Roos', 'Sofie', 'Eline', 'Marieke', 'Annelies', 'Els', 'Hanne'],
  ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Janssen', 'Visser', 'Smit', 'Meijer',
    'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Hendriks', 'van Leeuwen', 'Dekker', 'Brouwer', 'Peeters',
    'Maes', 'Willems', 'Claes', 'Goossens', 'Wouters', 'Verhoeven', 'van der Meer', 'Kuiper', 'Vermeulen', 'Jacobs'],
);

const FR = pool(
  ['Julien', 'Nicolas', 'Thomas', 'Antoine', 'Maxime', 'Hugo', 'Louis', 'Sébastien', 'Aurélien', 'Guillaume',
    'Pierre', 'Mathieu', 'Olivier', 'Romain', 'François', 'Laurent', 'Étienne', 'Benoît', 'Arnaud', 'Vincent'],
  ['Camille', 'Léa', 'Manon', 'Chloé', 'Élodie', 'Mathilde', 'Claire', 'Céline', 'Pauline', 'Émilie',
    'Sophie', 'Juliette', 'Amélie', 'Caroline', 'Nathalie', 'Isabelle', 'Margaux', 'Hélène', 'Audrey', 'Inès'],
  ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau',
    'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel',
    'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Chevalier', 'Faure', 'Mercier', 'Blanc'],
);

const IB = pool(
  ['Hugo', 'Pablo', 'Daniel', 'Alejandro', 'Javier', 'Miguel', 'Sergio', 'Diego', 'Carlos', 'Álvaro',
    'João', 'Tiago', 'Rui', 'Pedro', 'Francisco', 'Andrés', 'Raúl', 'Manuel', 'Jorge', 'Iñigo'],
  ['Lucía', 'Martina', 'Sofía', 'Carmen', 'Laura', 'Marta', 'Elena', 'Paula', 'Cristina', 'Núria',
    'Inês', 'Beatriz', 'Mariana', 'Ana', 'Catarina', 'Raquel', 'Isabel', 'Patricia', 'Alba', 'Rocío'],
  ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Ruiz',
    'Díaz', 'Moreno', 'Álvarez', 'Romero', 'Navarro', 'Torres', 'Silva', 'Santos', 'Ferreira', 'Pereira',
    'Costa', 'Oliveira', 'Rodrigues', 'Sousa', 'Almeida', 'Castro', 'Ortega', 'Delgado', 'Vidal', 'Serrano'],
);

const NORDIC = pool(
  ['Erik', 'Lars', 'Anders', 'Johan', 'Oskar', 'Mikkel', 'Mads', 'Henrik', 'Jonas', 'Mikko',
    'Ville', 'Nils', 'Magnus', 'Fredrik', 'Rasmus', 'Sindre', 'Jukka', 'Olof', 'Emil', 'Gustav'],
  ['Karin', 'Ingrid', 'Astrid', 'Sofia', 'Elin', 'Freja', 'Sigrid', 'Aino', 'Emilia', 'Linnea',
    'Maja', 'Ida', 'Sanna', 'Hanna', 'Kristin', 'Tuva', 'Liv', 'Johanna', 'Mette', 'Saara'],
  ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsen', 'Hansen', 'Nielsen', 'Jensen',
    'Pedersen', 'Johansen', 'Berg', 'Lund', 'Virtanen', 'Korhonen', 'Mäkinen', 'Nieminen', 'Lindqvist', 'Holm',
    'Sørensen', 'Dahl', 'Lindberg', 'Sandberg', 'Halvorsen', 'Haugen', 'Lehtonen', 'Engström', 'Bergström', 'Christensen'],
);

const EN = pool(
  ['Oliver', 'James', 'Harry', 'George', 'Jack', 'Thomas', 'William', 'Daniel', 'Matthew', 'Seán',
    'Ciarán', 'Conor', 'Samuel', 'Benjamin', 'Edward', 'Joseph', 'Alexander', 'Ryan', 'Callum', 'Liam'],
  ['Emma', 'Charlotte', 'Amelia', 'Sophie', 'Emily', 'Olivia', 'Hannah', 'Rachel', 'Aoife', 'Niamh',
    'Grace', 'Lucy', 'Jessica', 'Eleanor', 'Chloe', 'Megan', 'Siobhán', 'Katie', 'Isabel', 'Victoria'],
  ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright',
    'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke',
    'Murphy', 'Kelly', "O'Brien", 'Byrne', 'Walsh', 'Ryan', 'Harrington', 'Fletcher', 'Campbell', 'Hughes'],
);

const PL = pool(
  ['Piotr', 'Tomasz', 'Michał', 'Jakub', 'Krzysztof', 'Paweł', 'Marcin', 'Łukasz', 'Grzegorz', 'Adam'],
  ['Anna', 'Katarzyna', 'Agnieszka', 'Magdalena', 'Joanna', 'Monika', 'Aleksandra', 'Małgorzata', 'Ewa', 'Karolina'],
  // Only surnames that do not inflect for gender, so any first name fits.
  ['Nowak', 'Wójcik', 'Kowalczyk', 'Woźniak', 'Mazur', 'Krawczyk', 'Kaczmarek', 'Zając', 'Król', 'Wieczorek',
    'Wróbel', 'Dudek', 'Pawlak', 'Michalak', 'Sikora', 'Walczak', 'Baran', 'Szymczak', 'Kubiak', 'Lis'],
);

const CS = pool(
  ['Tomáš', 'Jiří', 'Martin', 'Petr', 'Jan', 'Lukáš', 'Jakub', 'Ondřej', 'Michal', 'Marek'],
  ['Petra', 'Lucie', 'Zuzana', 'Kateřina', 'Tereza', 'Veronika', 'Jana', 'Eva', 'Markéta', 'Barbora'],
  ['Novák', 'Svoboda', 'Novotný', 'Dvořák', 'Černý', 'Procházka', 'Kučera', 'Veselý', 'Horák', 'Němec',
    'Marek', 'Pokorný', 'Kováč', 'Horváth', 'Varga'],
  ['Nováková', 'Svobodová', 'Novotná', 'Dvořáková', 'Černá', 'Procházková', 'Kučerová', 'Veselá', 'Horáková', 'Němcová',
    'Marková', 'Pokorná', 'Kováčová', 'Horváthová', 'Vargová'],
);

const HU = pool(
  ['Bence', 'Ádám', 'Dávid', 'Gábor', 'László', 'Péter', 'Zoltán', 'Tamás', 'Balázs', 'Levente'],
  ['Zsófia', 'Eszter', 'Anna', 'Katalin', 'Réka', 'Dóra', 'Nóra', 'Judit', 'Viktória', 'Boglárka'],
  ['Nagy', 'Kovács', 'Tóth', 'Szabó', 'Horváth', 'Varga', 'Kiss', 'Molnár', 'Németh', 'Farkas',
    'Balogh', 'Papp', 'Lakatos', 'Takács', 'Juhász'],
);

const RO = pool(
  ['Andrei', 'Mihai', 'Alexandru', 'Ionuț', 'Cristian', 'Bogdan', 'Radu', 'Vlad', 'Adrian', 'Florin'],
  ['Ioana', 'Elena', 'Andreea', 'Maria', 'Cristina', 'Alexandra', 'Simona', 'Raluca', 'Diana', 'Irina'],
  ['Popescu', 'Ionescu', 'Popa', 'Stan', 'Dumitru', 'Constantin', 'Marin', 'Georgescu', 'Stoica', 'Munteanu',
    'Radu', 'Diaconu', 'Moldovan', 'Barbu', 'Lungu'],
);

// Names common across Europe's workforce, mixed into every country's contacts.
const TR = pool(
  ['Mehmet', 'Emre', 'Can', 'Burak', 'Murat', 'Kerem', 'Deniz', 'Serkan'],
  ['Ayşe', 'Elif', 'Zeynep', 'Merve', 'Selin', 'Derya', 'Esra', 'Leyla'],
  ['Yılmaz', 'Demir', 'Kaya', 'Şahin', 'Çelik', 'Öztürk', 'Arslan', 'Doğan', 'Aydın', 'Koç'],
);
const IT = pool(
  ['Luca', 'Marco', 'Alessandro', 'Matteo', 'Giorgio', 'Davide', 'Francesco', 'Stefano'],
  ['Giulia', 'Francesca', 'Chiara', 'Sara', 'Valentina', 'Federica', 'Martina', 'Alessia'],
  ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco'],
);
const IN = pool(
  ['Arjun', 'Rahul', 'Vikram', 'Rohan', 'Aditya', 'Karthik', 'Sanjay', 'Nikhil'],
  ['Priya', 'Ananya', 'Deepa', 'Kavya', 'Neha', 'Shreya', 'Divya', 'Meera'],
  ['Sharma', 'Patel', 'Gupta', 'Iyer', 'Reddy', 'Nair', 'Singh', 'Rao', 'Menon', 'Kulkarni'],
);
const GR = pool(
  ['Nikos', 'Giorgos', 'Dimitris', 'Konstantinos', 'Yannis', 'Kostas'],
  ['Eleni', 'Maria', 'Katerina', 'Sofia', 'Dimitra', 'Georgia'],
  ['Papadopoulos', 'Georgiou', 'Nikolaou', 'Karagiannis', 'Vlachos', 'Oikonomou', 'Alexiou', 'Christodoulou'],
);
const UA = pool(
  ['Dmytro', 'Oleksandr', 'Andrii', 'Serhii', 'Maksym', 'Taras'],
  ['Olena', 'Iryna', 'Kateryna', 'Oksana', 'Yulia', 'Natalia'],
  ['Shevchenko', 'Kovalenko', 'Bondarenko', 'Tkachenko', 'Kravchenko', 'Melnyk', 'Boyko', 'Koval'],
);
const AR = pool(
  ['Ahmed', 'Omar', 'Karim', 'Youssef', 'Samir', 'Tarek'],
  ['Fatima', 'Leila', 'Nour', 'Yasmin', 'Amira', 'Salma'],
  ['Hassan', 'El Amrani', 'Haddad', 'Khalil', 'Mansour', 'Benali', 'Saleh', 'Aziz'],
);

const INTERNATIONAL: (readonly [NamePool, number])[] = [
  [TR, 4], [IT, 3], [PL, 3], [IN, 2], [UA, 2], [GR, 1.5], [AR, 1.5], [EN, 2], [FR, 1],
];

/** A country's contact mix: local pools plus `intlShare` of names from across Europe. */
function peopleMix(local: (readonly [NamePool, number])[], intlShare: number): Weighted<NamePool> {
  const localTotal = local.reduce((s, [, w]) => s + w, 0);
  const intlTotal = INTERNATIONAL.reduce((s, [, w]) => s + w, 0);
  const scale = (localTotal * intlShare) / (1 - intlShare) / intlTotal;
  return new Weighted<NamePool>([...local, ...INTERNATIONAL.map(([p, w]) => [p, w * scale] as const)]);
}

// ---------------------------------------------------------------------------------------------
// Companies

interface IndustryDef {
  name: string;
  weight: number;
  /** >1 leans towards larger companies (Automotive, Telecom), <1 towards smaller ones. */
  sizeTilt: number;
  /** How often firms in this industry are "X & Partner" style partnerships, relative to 1. */
  partnerBoost: number;
  de: string[];
  en: string[];
}

const INDUSTRY_DEFS: IndustryDef[] = [
  { name: 'Software', weight: 16, sizeTilt: 0.95, partnerBoost: 0.3,
    de: ['Software', 'Informatik', 'Systemhaus', 'IT-Service', 'Datentechnik'],
    en: ['Software', 'Systems', 'Digital', 'Solutions', 'Technologies', 'Data', 'Analytics', 'Cloud', 'Labs'] },
  { name: 'Manufacturing', weight: 14, sizeTilt: 1.1, partnerBoost: 0.5,
    de: ['Maschinenbau', 'Metallbau', 'Präzisionstechnik', 'Werkzeugbau', 'Industrietechnik', 'Kunststofftechnik', 'Anlagenbau'],
    en: ['Manufacturing', 'Industries', 'Precision', 'Engineering', 'Components', 'Fabrication'] },
  { name: 'Professional Services', weight: 11, sizeTilt: 0.85, partnerBoost: 3,
    de: ['Beratung', 'Consulting', 'Steuerberatung', 'Unternehmensberatung', 'Personalberatung', 'Ingenieurbüro', 'Wirtschaftsprüfung'],
    en: ['Consulting', 'Advisory', 'Associates', 'Management', 'Group', 'Strategy'] },
  { name: 'Financial Services', weight: 9, sizeTilt: 1.1, partnerBoost: 1.5,
    de: ['Finanzberatung', 'Vermögensverwaltung', 'Versicherungsmakler', 'Treuhand', 'Finanzdienstleistungen'],
    en: ['Capital', 'Finance', 'Asset Management', 'Insurance', 'Payments', 'Wealth'] },
  { name: 'Retail', weight: 8, sizeTilt: 1.0, partnerBoost: 0.6,
    de: ['Handel', 'Handelshaus', 'Versandhandel', 'Fachhandel', 'Warenhandel'],
    en: ['Retail', 'Trading', 'Commerce', 'Stores', 'Brands', 'Goods'] },
  { name: 'Logistics', weight: 8, sizeTilt: 1.0, partnerBoost: 0.5,
    de: ['Logistik', 'Spedition', 'Transporte', 'Lagerlogistik', 'Kontraktlogistik'],
    en: ['Logistics', 'Freight', 'Transport', 'Cargo', 'Supply Chain', 'Shipping'] },
  { name: 'Healthcare', weight: 7, sizeTilt: 1.0, partnerBoost: 0.6,
    de: ['Medizintechnik', 'Pflegedienste', 'Gesundheitsdienste', 'Labordiagnostik', 'Praxisbedarf'],
    en: ['Health', 'Medical', 'Care', 'Life Sciences', 'Diagnostics', 'Pharma'] },
  { name: 'Construction', weight: 6, sizeTilt: 0.95, partnerBoost: 1.5,
    de: ['Bau', 'Bauunternehmung', 'Hochbau', 'Tiefbau', 'Bautechnik', 'Haustechnik'],
    en: ['Construction', 'Building', 'Builders', 'Contractors', 'Infrastructure'] },
  { name: 'Automotive', weight: 6, sizeTilt: 1.25, partnerBoost: 0.4,
    de: ['Fahrzeugtechnik', 'Autoteile', 'Automobiltechnik', 'Fahrzeugbau', 'Zulieferteile'],
    en: ['Automotive', 'Mobility', 'Motors', 'Auto Parts', 'Vehicle Systems'] },
  { name: 'Energy', weight: 5, sizeTilt: 1.2, partnerBoost: 0.3,
    de: ['Energie', 'Solartechnik', 'Windkraft', 'Energietechnik', 'Energieversorgung'],
    en: ['Energy', 'Power', 'Solar', 'Renewables', 'Utilities'] },
  { name: 'Telecommunications', weight: 4, sizeTilt: 1.25, partnerBoost: 0.2,
    de: ['Telekommunikation', 'Netzwerke', 'Kommunikationstechnik', 'Glasfaser'],
    en: ['Telecom', 'Networks', 'Connect', 'Communications', 'Fiber'] },
  { name: 'Education', weight: 3, sizeTilt: 0.9, partnerBoost: 0.3,
    de: ['Akademie', 'Bildung', 'Schulungszentrum', 'Weiterbildung', 'Bildungswerk'],
    en: ['Academy', 'Learning', 'Education', 'Training', 'Institute'] },
];

/** Share of leads per size band before an industry's tilt: most inbound B2B leads are small firms. */
const SIZE_BASE_WEIGHTS = [24, 31, 23, 13, 6, 3];
/** Employee head-count range of each band, for an `employees` attribute consistent with the band. */
const SIZE_EMPLOYEES: readonly (readonly [number, number])[] = [
  [1, 10], [11, 50], [51, 200], [201, 1000], [1001, 5000], [5001, 150000],
];
/** Larger firms engage more and are likelier to be sales-ready. */
const SIZE_SCORE_ADJ = [-5, -2, 1, 3, 4, 3];
const SIZE_HOT_FACTOR = [0.7, 0.9, 1.1, 1.2, 1.3, 1.2];
if (SIZE_BASE_WEIGHTS.length !== COMPANY_SIZES.length) throw new Error('demo-leads: size tables out of date');

interface Industry {
  name: string;
  partnerBoost: number;
  de: Word[];
  en: Word[];
  sizes: Weighted<number>;
}

const INDUSTRIES: Industry[] = INDUSTRY_DEFS.map((d) => ({
  name: d.name,
  partnerBoost: d.partnerBoost,
  de: words(d.de),
  en: words(d.en),
  sizes: new Weighted(SIZE_BASE_WEIGHTS.map((w, i) => [i, w * Math.pow(d.sizeTilt, i)] as const)),
}));
/** Draws an index into INDUSTRIES, which also indexes each country's per-industry style tables. */
const INDUSTRY_TABLE = new Weighted(INDUSTRY_DEFS.map((d, i) => [i, d.weight] as const));

/** German-style brand compounds: "Nordwind", "Sonnenfeld", "Alpenblick". */
const DE_BRANDS: Word[] = (() => {
  const heads = ['Nord', 'Süd', 'West', 'Ost', 'Sonnen', 'Berg', 'Wald', 'Stern', 'Blau', 'Grün', 'Silber', 'Gold',
    'Eichen', 'Linden', 'Falken', 'Adler', 'Rhein', 'Elb', 'Alpen', 'Hafen', 'Fels', 'Stein', 'Licht', 'Kristall',
    'Donau', 'Isar', 'Main', 'Brücken', 'Hoch', 'Weit'];
  const tails = ['wind', 'feld', 'blick', 'werk', 'tal', 'stein', 'berg', 'hof', 'quelle', 'licht', 'brücke',
    'turm', 'hafen', 'bogen', 'kraft', 'punkt', 'weg', 'stern'];
  const out: string[] = [];
  for (const h of heads) for (const t of tails) if (!h.toLowerCase().startsWith(t)) out.push(h + t);
  return words(out);
})();

/** English-style brand compounds: "Northstar", "Bluepeak", "Brightpath". */
const EN_BRANDS: Word[] = (() => {
  const heads = ['North', 'Blue', 'Bright', 'Silver', 'Iron', 'Clear', 'Swift', 'Red', 'Green', 'High', 'True',
    'Open', 'Next', 'Prime', 'Key', 'Sun', 'Star', 'Oak', 'Stone', 'Cloud', 'Deep', 'Fair', 'Gold', 'Sea'];
  const tails = ['wave', 'point', 'line', 'gate', 'bridge', 'field', 'peak', 'stone', 'path', 'bay', 'leaf', 'forge',
    'works', 'light', 'spring', 'wind', 'view', 'mark', 'star', 'ridge'];
  const out: string[] = [];
  for (const h of heads) for (const t of tails) if (h.toLowerCase() !== t) out.push(h + t);
  return words(out);
})();

const ADJECTIVES = words(['Bright', 'Blue', 'Silver', 'Golden', 'Quiet', 'Bold', 'Clear', 'Green', 'Crimson', 'Swift',
  'Northern', 'Western', 'Evergreen', 'Iron', 'Crystal', 'Coastal', 'Granite', 'Amber', 'Copper', 'Hidden',
  'Open', 'True', 'Little', 'Grand', 'High', 'Royal', 'Wild', 'Lucky', 'Broad', 'Sterling']);
const NOUNS = words(['Harbor', 'Oak', 'River', 'Ridge', 'Bridge', 'Peak', 'Meadow', 'Falcon', 'Fox', 'Lantern',
  'Compass', 'Anchor', 'Beacon', 'Summit', 'Stone', 'Willow', 'Pine', 'Orchard', 'Arrow', 'Cove',
  'Crest', 'Forge', 'Haven', 'Key', 'Mill', 'Owl', 'Sail', 'Tide', 'Vale', 'Wolf']);

/** Three-letter initialisms ("KMS Systems GmbH"), minus clashes with legal forms and unfortunate words. */
const ACRONYMS: Word[] = (() => {
  const letters = 'ABCDEGHIKLMNPRSTVW';
  const banned = new Set(['KKK', 'NSU', 'SAS', 'ASS', 'SEX', 'NAZ', 'HIV', 'AKW', 'RAF', 'SED', 'KPD', 'NPD', 'BND']);
  const out: string[] = [];
  for (const a of letters) for (const b of letters) for (const c of letters) {
    const s = a + b + c;
    if (a === b && b === c) continue;
    if (s.includes('SS') || banned.has(s)) continue;
    out.push(s);
  }
  return words(out);
})();

type Style = 'surnameSector' | 'brand' | 'adjNoun' | 'partner' | 'acronym';

const DACH_STYLES: [Style, number][] = [['surnameSector', 30], ['brand', 26], ['adjNoun', 10], ['partner', 10], ['acronym', 10]];
const EU_STYLES: [Style, number][] = [['surnameSector', 24], ['brand', 24], ['adjNoun', 24], ['partner', 10], ['acronym', 14]];
const UK_STYLES: [Style, number][] = [['surnameSector', 22], ['brand', 22], ['adjNoun', 32], ['partner', 10], ['acronym', 12]];

// ---------------------------------------------------------------------------------------------
// Geography

interface City {
  name: string;
  /** "+49 30 ", ready to prepend to a subscriber number. */
  phonePrefix: string;
  /** Subscriber number lengths, so area code plus number matches the country's numbering plan. */
  minDigits: number;
  maxDigits: number;
}

interface Country {
  code: string;
  tld: string;
  german: boolean;
  surnames: NamePool;
  people: Weighted<NamePool>;
  cities: Weighted<City>;
  forms: Weighted<string>;
  /** Forms more typical of large firms (AG, SE, plc), used for part of the 1001+ bands. */
  bigForms: Weighted<string>;
  /** Name-style table per industry (index as in INDUSTRIES): partnerships vary by industry. */
  styles: Weighted<Style>[];
}

interface CountryDef {
  code: string;
  dial: string;
  tld: string;
  german?: boolean;
  /** Length of the national number (area code plus subscriber), without the trunk 0. */
  nationalDigits: [number, number];
  surnames: NamePool;
  people: (readonly [NamePool, number])[];
  intlShare: number;
  /** [city, area code ('' where the plan has none), weight] */
  cities: [string, string, number][];
  forms: [string, number][];
  bigForms: [string, number][];
  styles: [Style, number][];
}

function country(d: CountryDef): Country {
  return {
    code: d.code,
    tld: d.tld,
    german: d.german ?? false,
    surnames: d.surnames,
    people: peopleMix(d.people, d.intlShare),
    cities: new Weighted(d.cities.map(([name, area, w]) => {
      const prefix = area === '' ? `+${d.dial} ` : `+${d.dial} ${area} `;
      const city: City = {
        name,
        phonePrefix: prefix,
        minDigits: d.nationalDigits[0] - area.length,
        maxDigits: d.nationalDigits[1] - area.length,
      };
      return [city, w] as const;
    })),
    forms: new Weighted(d.forms),
    bigForms: new Weighted(d.bigForms),
    styles: INDUSTRIES.map((ind) =>
      new Weighted(d.styles.map(([s, w]) => [s, s === 'partner' ? w * ind.partnerBoost : w] as const)),
    ),
  };
}

const DE_FORMS: [string, number][] = [['GmbH', 63], ['GmbH & Co. KG', 12], ['AG', 8], ['KG', 10], ['OHG', 2]];
// SE (Societas Europaea) only for large firms: it needs EUR 120k capital and is a big-company form.
const DE_BIG: [string, number][] = [['AG', 50], ['SE', 25], ['GmbH & Co. KG', 25]];

const DE_C = (cities: [string, string, number][]): CountryDef => ({
  code: 'DE', dial: '49', tld: 'de', german: true, nationalDigits: [10, 11], surnames: DE,
  people: [[DE, 1]], intlShare: 0.16, cities, forms: DE_FORMS, bigForms: DE_BIG, styles: DACH_STYLES,
});

const REGION_DEFS: [string, number, [CountryDef, number][]][] = [
  ['DACH-Nord', 16, [[DE_C([['Hamburg', '40', 30], ['Berlin', '30', 35], ['Bremen', '421', 8], ['Hannover', '511', 10],
    ['Kiel', '431', 4], ['Leipzig', '341', 7], ['Dresden', '351', 6], ['Rostock', '381', 3], ['Magdeburg', '391', 3]]), 1]]],
  ['DACH-Süd', 20, [
    [DE_C([['München', '89', 35], ['Stuttgart', '711', 22], ['Nürnberg', '911', 12], ['Augsburg', '821', 6],
      ['Karlsruhe', '721', 7], ['Freiburg im Breisgau', '761', 5], ['Regensburg', '941', 4], ['Ulm', '731', 4], ['Mannheim', '621', 7]]), 64],
    [{ code: 'AT', dial: '43', tld: 'at', german: true, nationalDigits: [9, 10], surnames: DE, people: [[DE, 1]], intlShare: 0.15,
      cities: [['Wien', '1', 45], ['Graz', '316', 15], ['Linz', '732', 14], ['Salzburg', '662', 12], ['Innsbruck', '512', 10]],
      forms: [['GmbH', 72], ['KG', 9], ['AG', 8], ['GmbH & Co KG', 7], ['OG', 4]], bigForms: [['AG', 70], ['SE', 30]], styles: DACH_STYLES }, 18],
    [{ code: 'CH', dial: '41', tld: 'ch', german: true, nationalDigits: [9, 9], surnames: DE, people: [[DE, 8], [FR, 1.5], [IT, 0.5]], intlShare: 0.15,
      cities: [['Zürich', '44', 40], ['Basel', '61', 18], ['Bern', '31', 17], ['Luzern', '41', 10], ['St. Gallen', '71', 8], ['Zug', '41', 7]],
      forms: [['AG', 55], ['GmbH', 42], ['SA', 3]], bigForms: [['AG', 100]], styles: DACH_STYLES }, 18],
  ]],
  ['DACH-West', 18, [[DE_C([['Köln', '221', 22], ['Düsseldorf', '211', 18], ['Frankfurt am Main', '69', 22], ['Essen', '201', 8],
    ['Dortmund', '231', 8], ['Bonn', '228', 6], ['Münster', '251', 5], ['Mainz', '6131', 4], ['Aachen', '241', 4],
    ['Wiesbaden', '611', 4], ['Duisburg', '203', 4], ['Bielefeld', '521', 4]]), 1]]],
  ['Benelux', 10, [
    [{ code: 'NL', dial: '31', tld: 'nl', nationalDigits: [9, 9], surnames: NL, people: [[NL, 1]], intlShare: 0.15,
      cities: [['Amsterdam', '20', 35], ['Rotterdam', '10', 20], ['Den Haag', '70', 14], ['Utrecht', '30', 16], ['Eindhoven', '40', 15]],
      forms: [['B.V.', 92], ['N.V.', 3], ['V.O.F.', 5]], bigForms: [['N.V.', 60], ['B.V.', 40]], styles: EU_STYLES }, 60],
    [{ code: 'BE', dial: '32', tld: 'be', nationalDigits: [8, 9], surnames: NL, people: [[NL, 6], [FR, 4]], intlShare: 0.15,
      cities: [['Brussel', '2', 40], ['Antwerpen', '3', 30], ['Gent', '9', 18], ['Leuven', '16', 12]],
      forms: [['BV', 55], ['NV', 25], ['SRL', 20]], bigForms: [['NV', 80], ['SA', 20]], styles: EU_STYLES }, 32],
    [{ code: 'LU', dial: '352', tld: 'lu', nationalDigits: [8, 8], surnames: FR, people: [[FR, 5], [DE, 3], [IB, 2]], intlShare: 0.2,
      cities: [['Luxembourg', '', 75], ['Esch-sur-Alzette', '', 25]],
      forms: [['S.à r.l.', 70], ['S.A.', 30]], bigForms: [['S.A.', 100]], styles: EU_STYLES }, 8],
  ]],
  ['Nordics', 7, [
    [{ code: 'SE', dial: '46', tld: 'se', nationalDigits: [9, 9], surnames: NORDIC, people: [[NORDIC, 1]], intlShare: 0.12,
      cities: [['Stockholm', '8', 55], ['Göteborg', '31', 25], ['Malmö', '40', 20]],
      forms: [['AB', 100]], bigForms: [['AB', 100]], styles: EU_STYLES }, 35],
    [{ code: 'DK', dial: '45', tld: 'dk', nationalDigits: [8, 8], surnames: NORDIC, people: [[NORDIC, 1]], intlShare: 0.12,
      cities: [['København', '', 60], ['Aarhus', '', 25], ['Odense', '', 15]],
      forms: [['ApS', 65], ['A/S', 35]], bigForms: [['A/S', 100]], styles: EU_STYLES }, 25],
    [{ code: 'NO', dial: '47', tld: 'no', nationalDigits: [8, 8], surnames: NORDIC, people: [[NORDIC, 1]], intlShare: 0.12,
      cities: [['Oslo', '', 60], ['Bergen', '', 25], ['Trondheim', '', 15]],
      forms: [['AS', 95], ['ASA', 5]], bigForms: [['ASA', 100]], styles: EU_STYLES }, 20],
    [{ code: 'FI', dial: '358', tld: 'fi', nationalDigits: [8, 9], surnames: NORDIC, people: [[NORDIC, 1]], intlShare: 0.1,
      cities: [['Helsinki', '9', 60], ['Tampere', '3', 22], ['Turku', '2', 18]],
      forms: [['Oy', 95], ['Oyj', 5]], bigForms: [['Oyj', 100]], styles: EU_STYLES }, 20],
  ]],
  ['UK & Ireland', 9, [
    [{ code: 'GB', dial: '44', tld: 'co.uk', nationalDigits: [10, 10], surnames: EN, people: [[EN, 1]], intlShare: 0.18,
      cities: [['London', '20', 45], ['Manchester', '161', 14], ['Birmingham', '121', 12], ['Edinburgh', '131', 9],
        ['Bristol', '117', 8], ['Leeds', '113', 7], ['Glasgow', '141', 5]],
      forms: [['Ltd', 94], ['LLP', 3], ['plc', 3]], bigForms: [['plc', 100]], styles: UK_STYLES }, 80],
    [{ code: 'IE', dial: '353', tld: 'ie', nationalDigits: [8, 9], surnames: EN, people: [[EN, 1]], intlShare: 0.15,
      cities: [['Dublin', '1', 65], ['Cork', '21', 20], ['Galway', '91', 15]],
      forms: [['Ltd', 95], ['DAC', 5]], bigForms: [['plc', 100]], styles: UK_STYLES }, 20],
  ]],
  ['France', 8, [
    [{ code: 'FR', dial: '33', tld: 'fr', nationalDigits: [9, 9], surnames: FR, people: [[FR, 1]], intlShare: 0.14,
      cities: [['Paris', '1', 45], ['Lyon', '4', 15], ['Marseille', '4', 8], ['Toulouse', '5', 10], ['Lille', '3', 8],
        ['Nantes', '2', 7], ['Bordeaux', '5', 7]],
      forms: [['SAS', 70], ['SARL', 22], ['SA', 8]], bigForms: [['SA', 70], ['SAS', 30]], styles: EU_STYLES }, 1],
  ]],
  ['Iberia', 5, [
    [{ code: 'ES', dial: '34', tld: 'es', nationalDigits: [9, 9], surnames: IB, people: [[IB, 1]], intlShare: 0.1,
      cities: [['Madrid', '91', 40], ['Barcelona', '93', 35], ['Valencia', '96', 10], ['Sevilla', '95', 8], ['Bilbao', '94', 7]],
      forms: [['S.L.', 78], ['S.A.', 22]], bigForms: [['S.A.', 100]], styles: EU_STYLES }, 75],
    [{ code: 'PT', dial: '351', tld: 'pt', nationalDigits: [9, 9], surnames: IB, people: [[IB, 1]], intlShare: 0.1,
      cities: [['Lisboa', '21', 60], ['Porto', '22', 40]],
      forms: [['Lda.', 75], ['S.A.', 25]], bigForms: [['S.A.', 100]], styles: EU_STYLES }, 25],
  ]],
  ['CEE', 7, [
    [{ code: 'PL', dial: '48', tld: 'pl', nationalDigits: [9, 9], surnames: PL, people: [[PL, 1]], intlShare: 0.08,
      cities: [['Warszawa', '22', 40], ['Kraków', '12', 20], ['Wrocław', '71', 15], ['Gdańsk', '58', 13], ['Poznań', '61', 12]],
      forms: [['Sp. z o.o.', 88], ['S.A.', 12]], bigForms: [['S.A.', 100]], styles: EU_STYLES }, 40],
    [{ code: 'CZ', dial: '420', tld: 'cz', nationalDigits: [9, 9], surnames: CS, people: [[CS, 1]], intlShare: 0.08,
      cities: [['Praha', '2', 65], ['Brno', '5', 35]],
      forms: [['s.r.o.', 88], ['a.s.', 12]], bigForms: [['a.s.', 100]], styles: EU_STYLES }, 25],
    [{ code: 'HU', dial: '36', tld: 'hu', nationalDigits: [8, 8], surnames: HU, people: [[HU, 1]], intlShare: 0.08,
      cities: [['Budapest', '1', 80], ['Debrecen', '52', 10], ['Szeged', '62', 10]],
      forms: [['Kft.', 88], ['Zrt.', 12]], bigForms: [['Zrt.', 100]], styles: EU_STYLES }, 15],
    [{ code: 'RO', dial: '40', tld: 'ro', nationalDigits: [9, 9], surnames: RO, people: [[RO, 1]], intlShare: 0.08,
      cities: [['București', '21', 65], ['Cluj-Napoca', '264', 35]],
      forms: [['S.R.L.', 88], ['S.A.', 12]], bigForms: [['S.A.', 100]], styles: EU_STYLES }, 12],
    [{ code: 'SK', dial: '421', tld: 'sk', nationalDigits: [9, 9], surnames: CS, people: [[CS, 1]], intlShare: 0.08,
      cities: [['Bratislava', '2', 70], ['Košice', '55', 30]],
      forms: [['s.r.o.', 90], ['a.s.', 10]], bigForms: [['a.s.', 100]], styles: EU_STYLES }, 8],
  ]],
];

interface Region {
  name: string;
  countries: Weighted<Country>;
}

const REGION_TABLE = new Weighted<Region>(REGION_DEFS.map(([name, w, cs]) => [
  { name, countries: new Weighted(cs.map(([d, cw]) => [country(d), cw] as const)) },
  w,
] as const));

// ---------------------------------------------------------------------------------------------
// Sources, scores, contacts

interface Source {
  name: string;
  /** Shift of the score's centre: warm channels (Referral, Webinar) convert better than a cold list. */
  scoreAdj: number;
  /** Multiplier on the chance of a sales-ready ("hot", 80+) lead. */
  hotFactor: number;
}

const SOURCE_TABLE = new Weighted<Source>([
  [{ name: 'Website form', scoreAdj: 2, hotFactor: 1.0 }, 24],
  [{ name: 'Paid search', scoreAdj: -3, hotFactor: 0.7 }, 14],
  [{ name: 'LinkedIn', scoreAdj: 0, hotFactor: 0.9 }, 13],
  [{ name: 'Content download', scoreAdj: -2, hotFactor: 0.8 }, 11],
  [{ name: 'Webinar', scoreAdj: 7, hotFactor: 1.6 }, 9],
  [{ name: 'Trade fair', scoreAdj: 4, hotFactor: 1.2 }, 8],
  [{ name: 'Referral', scoreAdj: 11, hotFactor: 2.2 }, 7],
  [{ name: 'Partner', scoreAdj: 6, hotFactor: 1.5 }, 6],
  [{ name: 'Cold list', scoreAdj: -12, hotFactor: 0.25 }, 8],
]);

/**
 * Scores are a mixture: most leads bell-shaped around 50, plus a "hot" minority clustered in
 * the high 80s, which gives the tail above 80 a real lead-scoring model shows. Tuned so about
 * 12% score 80 or more overall.
 */
const HOT_BASE = 0.1;
const WARM_MEAN = 48;
const WARM_SD = 15;
const HOT_MEAN = 87;
const HOT_SD = 6;

type EmailPattern = 'first.last' | 'f.last' | 'flast' | 'first' | 'first_last' | 'last.first';
const EMAIL_PATTERNS = new Weighted<EmailPattern>([
  ['first.last', 55], ['f.last', 16], ['flast', 8], ['first', 10], ['first_last', 4], ['last.first', 3],
]);
const PHONE_MISSING = 0.05;

const JOB_TITLES_SMALL = new Weighted<string>([
  ['Managing Director', 30], ['CEO', 20], ['Founder', 10], ['Head of Sales', 12], ['Office Manager', 10],
  ['Operations Manager', 8], ['IT Manager', 6], ['Marketing Manager', 4],
]);
const JOB_TITLES_LARGE = new Weighted<string>([
  ['Head of Sales', 14], ['Head of IT', 12], ['IT Manager', 10], ['Procurement Manager', 10],
  ['Head of Operations', 9], ['Marketing Manager', 9], ['CFO', 5], ['COO', 4], ['CIO', 4],
  ['Project Manager', 9], ['Sales Operations Manager', 7], ['Business Development Manager', 7],
]);

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

// ---------------------------------------------------------------------------------------------
// Generation

function sectorWord(rng: Random, ind: Industry, german: boolean): Word {
  // German firms name themselves in German more often than not, but English is common too.
  return german && rng.next() < 0.6 ? rng.pick(ind.de) : rng.pick(ind.en);
}

function oneLead(rng: Random, index: number): LeadInput {
  const region = REGION_TABLE.draw(rng);
  const ctry = region.countries.draw(rng);
  const city = ctry.cities.draw(rng);
  const industryIdx = INDUSTRY_TABLE.draw(rng);
  const ind = INDUSTRIES[industryIdx] as Industry;
  const sizeIdx = ind.sizes.draw(rng);
  const companySize = COMPANY_SIZES[sizeIdx] as CompanySize;

  // Legal form first: a US-style "Inc" subsidiary is named in English and has a .com domain.
  const isInc = rng.next() < 0.02;
  const form = isInc
    ? 'Inc.'
    : sizeIdx >= 4 && rng.next() < 0.45
      ? ctry.bigForms.draw(rng)
      : ctry.forms.draw(rng);
  const german = ctry.german && !isInc;

  // Company name and the domain root derived from it (legal form dropped).
  let name: string;
  let root: string;
  const style: Style = isInc
    ? (rng.next() < 0.5 ? 'brand' : 'adjNoun')
    : (ctry.styles[industryIdx] as Weighted<Style>).draw(rng);
  switch (style) {
    case 'surnameSector': {
      const s = rng.pick(ctry.surnames.lastCap);
      const w = sectorWord(rng, ind, german);
      name = `${s.text} ${w.text}`;
      root = `${s.slug}-${w.slug}`;
      break;
    }
    case 'brand': {
      const b = german && rng.next() < 0.8 ? rng.pick(DE_BRANDS) : rng.pick(EN_BRANDS);
      if (rng.next() < 0.8) {
        const w = sectorWord(rng, ind, german);
        name = `${b.text} ${w.text}`;
        root = `${b.slug}-${w.slug}`;
      } else {
        name = b.text;
        root = b.slug;
      }
      break;
    }
    case 'adjNoun': {
      const a = rng.pick(ADJECTIVES);
      const n = rng.pick(NOUNS);
      if (rng.next() < 0.8) {
        const w = rng.pick(ind.en);
        name = `${a.text} ${n.text} ${w.text}`;
        root = `${a.slug}${n.slug}-${w.slug}`;
      } else {
        name = `${a.text} ${n.text}`;
        root = a.slug + n.slug;
      }
      break;
    }
    case 'partner': {
      const s = rng.pick(ctry.surnames.lastCap);
      const r = rng.next();
      if (r < 0.45) {
        name = german ? `${s.text} & Partner` : `${s.text} & Partners`;
        root = german ? `${s.slug}-partner` : `${s.slug}-partners`;
      } else if (r < 0.6) {
        name = german ? `${s.text} & Söhne` : `${s.text} & Sons`;
        root = german ? `${s.slug}-soehne` : `${s.slug}-sons`;
      } else if (r < 0.75) {
        name = `${s.text} & Co.`;
        root = `${s.slug}-co`;
      } else {
        let t = rng.pick(ctry.surnames.lastCap);
        if (t === s) t = rng.pick(ctry.surnames.lastCap);
        name = `${s.text} & ${t.text}`;
        root = `${s.slug}-${t.slug}`;
      }
      break;
    }
    case 'acronym': {
      const a = rng.pick(ACRONYMS);
      const w = sectorWord(rng, ind, german);
      name = `${a.text} ${w.text}`;
      root = `${a.slug}-${w.slug}`;
      break;
    }
  }
  const company = `${name} ${form}`;
  const domain = isInc || form === 'SE' ? `${root}.com` : `${root}.${ctry.tld}`;

  // Contact: a name from the country's mix, an address at the company's domain.
  const people = ctry.people.draw(rng);
  const female = rng.next() < 0.42;
  const first = female ? rng.pick(people.female) : rng.pick(people.male);
  const lastIdx = Math.floor(rng.next() * people.last.length);
  const last = ((female && people.lastFemale) || people.last)[lastIdx] as Word;
  let local: string;
  switch (EMAIL_PATTERNS.draw(rng)) {
    case 'first.last': local = `${first.slug}.${last.slug}`; break;
    case 'f.last': local = `${first.slug.charAt(0)}.${last.slug}`; break;
    case 'flast': local = first.slug.charAt(0) + last.slug; break;
    case 'first': local = first.slug; break;
    case 'first_last': local = `${first.slug}_${last.slug}`; break;
    case 'last.first': local = `${last.slug}.${first.slug}`; break;
  }
  let phone: string | null = null;
  if (rng.next() >= PHONE_MISSING) {
    const digits = city.minDigits === city.maxDigits ? city.minDigits : rng.int(city.minDigits, city.maxDigits);
    phone = city.phonePrefix + rng.int(POW10[digits - 1] as number, (POW10[digits] as number) - 1);
  }

  // Score: correlated with source and size, with a hot tail.
  const source = SOURCE_TABLE.draw(rng);
  const hotP = HOT_BASE * source.hotFactor * (SIZE_HOT_FACTOR[sizeIdx] as number);
  const raw = rng.next() < hotP
    ? rng.normal(HOT_MEAN, HOT_SD)
    : rng.normal(WARM_MEAN + source.scoreAdj + (SIZE_SCORE_ADJ[sizeIdx] as number), WARM_SD);
  const score = raw <= 0 ? 0 : raw >= 100 ? 100 : Math.round(raw);

  // Head-count log-uniform within the band: small firms far outnumber big ones inside each band too.
  const [lo, hi] = SIZE_EMPLOYEES[sizeIdx] as readonly [number, number];
  const employees = Math.min(hi, Math.floor(lo * Math.pow((hi + 1) / lo, rng.next())));
  const jobTitle = (sizeIdx <= 1 ? JOB_TITLES_SMALL : JOB_TITLES_LARGE).draw(rng);

  return {
    company,
    industry: ind.name,
    companySize,
    source: source.name,
    score,
    region: region.name,
    contact: {
      name: `${first.text} ${last.text}`,
      email: `${local}@${domain}`,
      phone,
    },
    externalId: `demo-${String(index + 1).padStart(6, '0')}`,
    attributes: {
      employees,
      website: `https://www.${domain}`,
      city: city.name,
      country: ctry.code,
      jobTitle,
    },
  };
}

/**
 * The same leads as `generateDemoLeads`, one at a time, so a benchmark can stream a million
 * without holding them all. Arguments are checked at the call, not at the first `next()`.
 */
export function generateDemoLeadsIter(count: number, seed: number): Generator<LeadInput, void, undefined> {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const rng = new Random(seed);
  return (function* () {
    for (let i = 0; i < count; i++) yield oneLead(rng, i);
  })();
}

/** `count` realistic B2B leads, identical for the same seed. */
export function generateDemoLeads(count: number, seed: number): LeadInput[] {
  const out: LeadInput[] = [];
  for (const lead of generateDemoLeadsIter(count, seed)) out.push(lead);
  return out;
}
