/**
 * The Teams app package (`returnsbot manifest`): the template filled from configuration validates
 * against Microsoft's schema offline, the zip holds the manifest, the icons and the localization
 * files at its root, the icons are the sizes and colours Teams asks for, and bad input gives exit 2
 * with one line per problem. No network: the schemas come from `@microsoft/app-manifest`.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { expect } from 'chai';
import { unzipSync } from 'fflate';
import { ACCENT, iconFiles, inSymbol, renderColorIcon, renderOutlineIcon } from '../../manifest/icons.js';
import { COLOR_TYPE_RGB, COLOR_TYPE_RGBA, crc32, decodePng, encodePng, PngError, readPngHeader } from '../../manifest/png.js';
import {
  buildTeamsPackage,
  escapeLoneBrackets,
  iconProblems,
  MANIFEST_DIR,
  packageSettings,
  validateLocalization,
  validateManifest,
  zipPackage,
  type PackageSettings,
} from '../../src/cli/manifest.js';
import { loadTeamsConfig } from '../../src/config.js';
import { detectCommand } from '../../src/nlu/commands.js';
import { runCli } from '../support/cli.js';

const APP_ID = '00000000-0000-0000-0000-000000000001';
const ENV = { MicrosoftAppId: APP_ID, RETURNS_PUBLIC_URL: 'https://bot.example.com' };
const LANGUAGES = { 'en-gb': 'en', 'en-us': 'en', 'es-us': 'es' } as const;
const LOCALIZATION_FILES = ['en-gb.json', 'en-us.json', 'es-us.json'];
const ZIP_FILES = ['manifest.json', 'color.png', 'outline.png', ...LOCALIZATION_FILES];

type Json = Record<string, unknown>;

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

function expectNoStack(text: string): void {
  for (const line of text.split('\n')) expect(line, 'a stack trace line').to.not.match(/^\s+at /);
}

function settings(overrides: Partial<PackageSettings> = {}): PackageSettings {
  const result = packageSettings(loadTeamsConfig(ENV), '1.2.3');
  if (!result.ok) throw new Error('fixture settings are invalid');
  return { ...result.value, ...overrides };
}

async function builtManifest(): Promise<Json> {
  const built = await buildTeamsPackage(MANIFEST_DIR, settings());
  if (!built.ok) throw new Error(built.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return structuredClone(built.value.manifest);
}

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

/** A copy of manifest/ in a temporary folder, to break one file at a time. */
function sourceCopy(dir: string): string {
  const copy = join(dir, 'source');
  cpSync(MANIFEST_DIR, copy, { recursive: true, filter: (src) => !src.includes(`${join('manifest', 'build')}`) });
  return copy;
}

describe('Teams app package', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'returnsbot-manifest-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('returnsbot manifest', () => {
    it('writes a zip with the manifest, the icons and the localization files at its root', async () => {
      const out = join(dir, 'teams.zip');
      const run = await runCli(['manifest', '--out', out], { env: ENV });
      expect(run.stderr).to.equal('');
      expect(run.code).to.equal(0);
      const [path, summary, ...rest] = lines(run.stdout);
      expect(path).to.equal(out);
      expect(summary).to.match(/^Teams app "Returns" \d+\.\d+\.\d+ \(manifest 1\.19, en-gb, en-us, es-us\) for bot 00000000-0000-0000-0000-000000000001 at bot\.example\.com: /);
      expect(rest).to.deep.equal([]);

      const files = unzipSync(readFileSync(out));
      expect(Object.keys(files)).to.deep.equal(ZIP_FILES);
      const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString('utf8')) as Json;
      expect(await validateManifest(manifest)).to.deep.equal([]);
      expect(JSON.stringify(manifest)).to.not.include('${{');
      expect(manifest.manifestVersion).to.equal('1.19');
      expect(manifest.$schema).to.equal('https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/MicrosoftTeams.schema.json');
      expect(manifest.id).to.equal(APP_ID);
      const bots = manifest.bots as { botId: string; scopes: string[] }[];
      expect(bots.map((b) => b.botId)).to.deep.equal([APP_ID]);
      expect(bots[0]!.scopes).to.include('personal');
      expect(manifest.validDomains).to.deep.equal(['bot.example.com']);
      expect(manifest.developer).to.deep.equal({
        name: 'returnsbot',
        websiteUrl: 'https://bot.example.com/',
        privacyUrl: 'https://bot.example.com/privacy',
        termsOfUseUrl: 'https://bot.example.com/terms',
      });
      expect(manifest.icons).to.deep.equal({ color: 'color.png', outline: 'outline.png' });
      expect(readPngHeader(files['color.png']!)).to.include({ width: 192, height: 192 });
      expect(readPngHeader(files['outline.png']!)).to.include({ width: 32, height: 32, colorType: COLOR_TYPE_RGBA });
      for (const name of LOCALIZATION_FILES) {
        expect(Buffer.from(files[name]!).equals(readFileSync(join(MANIFEST_DIR, name))), `${name} is copied as is`).to.equal(true);
      }
    });

    it('fills the optional settings from TEAMS_* variables', async () => {
      const out = join(dir, 'teams.zip');
      const env = {
        ...ENV,
        RETURNS_PUBLIC_URL: 'https://shop.example.org/returns-bot',
        TEAMS_APP_ID: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
        TEAMS_APP_VERSION: '2.4.0',
        TEAMS_DEVELOPER_NAME: 'Example Shop Ltd',
        TEAMS_PRIVACY_URL: 'https://shop.example.org/privacy-notice',
      };
      const run = await runCli(['manifest', '--out', out], { env });
      expect(run.code, run.stderr).to.equal(0);
      const manifest = JSON.parse(Buffer.from(unzipSync(readFileSync(out))['manifest.json']!).toString('utf8')) as Json;
      expect(manifest).to.include({ id: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', version: '2.4.0' });
      expect((manifest.bots as { botId: string }[])[0]!.botId).to.equal(APP_ID);
      expect(manifest.validDomains).to.deep.equal(['shop.example.org']);
      expect(manifest.developer).to.deep.equal({
        name: 'Example Shop Ltd',
        websiteUrl: 'https://shop.example.org/returns-bot/',
        privacyUrl: 'https://shop.example.org/privacy-notice',
        termsOfUseUrl: 'https://shop.example.org/returns-bot/terms',
      });
    });

    it('builds the same bytes from the same inputs', async () => {
      const first = await buildTeamsPackage(MANIFEST_DIR, settings());
      const second = await buildTeamsPackage(MANIFEST_DIR, settings());
      if (!first.ok || !second.ok) throw new Error('build failed');
      expect(Buffer.from(await zipPackage(first.value)).equals(Buffer.from(await zipPackage(second.value)))).to.equal(true);
    });

    it('exits 2 naming MicrosoftAppId when it is not set, and writes nothing', async () => {
      const out = join(dir, 'teams.zip');
      const run = await runCli(['manifest', '--out', out], { env: { RETURNS_PUBLIC_URL: 'https://bot.example.com' } });
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal('');
      const problems = lines(run.stderr);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^MicrosoftAppId: not set: /);
      expect(existsSync(out)).to.equal(false);
    });

    it('exits 2 with one line per missing or bad variable, never a stack trace', async () => {
      const missing = await runCli(['manifest', '--out', join(dir, 'a.zip')], { env: {} });
      expect(missing.code).to.equal(2);
      expect(lines(missing.stderr).map((l) => l.split(':')[0])).to.deep.equal(['MicrosoftAppId', 'RETURNS_PUBLIC_URL']);

      const bad = await runCli(['manifest', '--out', join(dir, 'b.zip')], {
        env: { MicrosoftAppId: 'my-bot', RETURNS_PUBLIC_URL: 'http://bot.example.com', TEAMS_APP_VERSION: '1.0', TEAMS_WEBSITE_URL: 'example.com' },
      });
      expect(bad.code).to.equal(2);
      const problems = lines(bad.stderr);
      expect(problems).to.have.length(4);
      expect(problems).to.include('MicrosoftAppId: expected a GUID like 00000000-0000-0000-0000-000000000000, got "my-bot"');
      expect(problems.find((p) => p.startsWith('RETURNS_PUBLIC_URL: '))).to.match(/expected an https URL/);
      expect(problems.find((p) => p.startsWith('TEAMS_APP_VERSION: '))).to.match(/MAJOR\.MINOR\.PATCH/);
      expect(problems.find((p) => p.startsWith('TEAMS_WEBSITE_URL: '))).to.match(/expected an https URL/);
      expectNoStack(bad.stderr);
    });

    it('exits 2 with the schema problem, its file and field, for a broken template', async () => {
      const source = sourceCopy(dir);
      const template = readJson(join(source, 'manifest.json'));
      delete template.accentColor;
      (template.name as Json).short = 'A returns assistant with a very long name';
      writeFileSync(join(source, 'manifest.json'), JSON.stringify(template, null, 2));
      const out = join(dir, 'teams.zip');
      const run = await runCli(['manifest', '--source', source, '--out', out], { env: ENV });
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal('');
      expect(lines(run.stderr)).to.have.members(['manifest.json accentColor: required, but missing', 'manifest.json name.short: expected at most 30 characters, got 41']);
      expectNoStack(run.stderr);
      expect(existsSync(out)).to.equal(false);
    });

    it('reports a wrong icon, a missing translation and an unknown placeholder', async () => {
      const source = sourceCopy(dir);
      const template = readJson(join(source, 'manifest.json'));
      (template.developer as Json).name = '${{TEAMS_DEVELOPER}}';
      writeFileSync(join(source, 'manifest.json'), JSON.stringify(template));
      let run = await runCli(['manifest', '--source', source, '--out', join(dir, 'a.zip')], { env: ENV });
      expect(run.code).to.equal(2);
      expect(lines(run.stderr)).to.have.length(1);
      expect(run.stderr).to.match(/^manifest\.json developer\.name: unknown placeholder \$\{\{TEAMS_DEVELOPER\}\}/);

      cpSync(join(MANIFEST_DIR, 'manifest.json'), join(source, 'manifest.json'));
      writeFileSync(join(source, 'outline.png'), encodePng({ width: 48, height: 48, rgba: new Uint8Array(48 * 48 * 4).fill(200) }, { alpha: true }));
      const spanish = readJson(join(source, 'es-us.json'));
      delete spanish['bots[0].commandLists[0].commands[1].title'];
      writeFileSync(join(source, 'es-us.json'), JSON.stringify(spanish));
      run = await runCli(['manifest', '--source', source, '--out', join(dir, 'b.zip')], { env: ENV });
      expect(run.code).to.equal(2);
      expect(lines(run.stderr)).to.deep.equal([
        'outline.png: expected 32×32 pixels for the outline icon, got 48×48',
        'outline.png: expected only white or fully transparent pixels in the outline icon, got 2304 other pixel(s)',
        'es-us.json bots[0].commandLists[0].commands[1].title: missing: es-us users would see the manifest.json text "Talk to a person"',
      ]);
    });
  });

  describe('schema validation (offline, @microsoft/app-manifest)', () => {
    it('accepts the filled manifest, and rejects a bad GUID and a missing required field', async () => {
      const good = await builtManifest();
      expect(await validateManifest(good)).to.deep.equal([]);

      const badGuid = structuredClone(good);
      badGuid.id = 'not-a-guid';
      (badGuid.bots as Json[])[0]!.botId = '1234';
      expect(await validateManifest(badGuid)).to.deep.equal([
        { path: 'manifest.json id', message: 'expected a GUID like 00000000-0000-0000-0000-000000000000, got "not-a-guid"' },
        { path: 'manifest.json bots[0].botId', message: 'expected a GUID like 00000000-0000-0000-0000-000000000000, got "1234"' },
      ]);

      for (const field of ['developer', 'icons', 'accentColor', 'version']) {
        const missing = structuredClone(good);
        delete missing[field];
        expect(await validateManifest(missing), field).to.deep.equal([{ path: `manifest.json ${field}`, message: 'required, but missing' }]);
      }
      const noPrivacy = structuredClone(good);
      delete (noPrivacy.developer as Json).privacyUrl;
      expect(await validateManifest(noPrivacy)).to.deep.equal([{ path: 'manifest.json developer.privacyUrl', message: 'required, but missing' }]);
    });

    it('rejects unknown fields, a bad scope and a $schema that disagrees with manifestVersion', async () => {
      const good = await builtManifest();
      const extra = structuredClone(good);
      (extra.bots as Json[])[0]!.scopes = ['personal', 'everywhere'];
      extra.colour = '#000000';
      const problems = await validateManifest(extra);
      expect(problems).to.deep.include({ path: 'manifest.json colour', message: 'unknown field (check the spelling and the schema version)' });
      expect(problems.map((p) => p.path)).to.include('manifest.json bots[0].scopes[1]');

      const mismatch = structuredClone(good);
      mismatch.manifestVersion = '1.20';
      expect(await validateManifest(mismatch)).to.deep.equal([{ path: 'manifest.json manifestVersion', message: 'expected "1.19" (the version in $schema), got "1.20"' }]);

      const noOffline = structuredClone(good);
      noOffline.$schema = 'https://developer.microsoft.com/en-us/json-schemas/teams/v1.18/MicrosoftTeams.schema.json';
      noOffline.manifestVersion = '1.18';
      expect((await validateManifest(noOffline))[0]!.message).to.match(/^no offline schema for version 1\.18/);
    });

    it('never fetches the $schema URL: an unreachable host validates the same', async () => {
      const manifest = await builtManifest();
      manifest.$schema = 'https://schemas.invalid/json-schemas/teams/v1.19/MicrosoftTeams.schema.json';
      expect(await validateManifest(manifest)).to.deep.equal([]);
      const bundled = readFileSync(join(MANIFEST_DIR, '..', 'node_modules', '@microsoft', 'app-manifest', 'build', 'json-schemas', 'teams', 'v1.19', 'MicrosoftTeams.schema.json'), 'utf8');
      expect(bundled, 'no remote $ref in the bundled schema').to.not.match(/"\$ref"\s*:\s*"https?:/);
    });

    it('validates each localization file, and catches an over-long short name', async () => {
      for (const name of LOCALIZATION_FILES) {
        expect(await validateLocalization(readJson(join(MANIFEST_DIR, name)), name, '1.19'), name).to.deep.equal([]);
      }
      const long = { ...readJson(join(MANIFEST_DIR, 'es-us.json')), 'name.short': 'Asistente de devoluciones de la tienda' };
      expect(await validateLocalization(long, 'es-us.json', '1.19')).to.deep.equal([{ path: 'es-us.json name.short', message: 'expected at most 30 characters, got 38' }]);
      const other = { ...readJson(join(MANIFEST_DIR, 'en-us.json')), $schema: 'https://developer.microsoft.com/en-us/json-schemas/teams/v1.22/MicrosoftTeams.Localization.schema.json' };
      expect(await validateLocalization(other, 'en-us.json', '1.19')).to.deep.equal([{ path: 'en-us.json $schema', message: 'expected the same schema version as manifest.json (1.19), got 1.22' }]);
    });

    it("repairs the lone ']' in Microsoft's localization schema patterns without changing their meaning", () => {
      const shipped = '^activities.activityTypes\\[\\b([0-9]|[1-8][0-9]|9[0-9]|1[01][0-9]|12[0-7])\\b]\\.description$';
      expect(() => new RegExp(shipped, 'u')).to.throw(SyntaxError);
      const fixed = new RegExp(escapeLoneBrackets(shipped), 'u');
      const legacy = new RegExp(shipped);
      for (const key of [
        'activities.activityTypes[0].description',
        'activities.activityTypes[127].description',
        'activities.activityTypes[128].description',
        'activities.activityTypes[0]]description',
      ]) {
        expect(fixed.test(key), key).to.equal(legacy.test(key));
      }
      expect(escapeLoneBrackets('^[a-z]+\\]$')).to.equal('^[a-z]+\\]$');
    });
  });

  describe('localization', () => {
    it('covers en-GB, en-US and es-US, the default first, with every string Teams shows', async () => {
      const manifest = await builtManifest();
      expect(manifest.localizationInfo).to.deep.equal({
        defaultLanguageTag: 'en-gb',
        defaultLanguageFile: 'en-gb.json',
        additionalLanguages: [
          { languageTag: 'en-us', file: 'en-us.json' },
          { languageTag: 'es-us', file: 'es-us.json' },
        ],
      });
      const commands = ((manifest.bots as Json[])[0]!.commandLists as { commands: { title: string }[] }[])[0]!.commands;
      expect(commands.map((c) => c.title)).to.deep.equal(['Return an item', 'Talk to a person', 'Start again']);
      const keys = [
        '$schema',
        'name.short',
        'name.full',
        'description.short',
        'description.full',
        ...commands.flatMap((_, i) => [`bots[0].commandLists[0].commands[${i}].title`, `bots[0].commandLists[0].commands[${i}].description`]),
      ];
      for (const name of LOCALIZATION_FILES) {
        const strings = readJson(join(MANIFEST_DIR, name));
        expect(Object.keys(strings), name).to.have.members(keys);
        expect((strings['name.short'] as string).length, `${name} name.short`).to.be.at.most(30);
        expect((strings['description.short'] as string).length, `${name} description.short`).to.be.at.most(80);
      }
      expect((manifest.name as Json).short as string).to.have.length.at.most(30);
      expect((manifest.description as Json).short as string).to.have.length.at.most(80);
      const spanish = readJson(join(MANIFEST_DIR, 'es-us.json'));
      expect(spanish['name.short']).to.equal('Devoluciones');
      expect(spanish['bots[0].commandLists[0].commands[0].title']).to.equal('Devolver un artículo');
    });

    it('uses command titles the bot understands in each language', () => {
      for (const [tag, lang] of Object.entries(LANGUAGES)) {
        const strings = readJson(join(MANIFEST_DIR, `${tag}.json`));
        expect(detectCommand(strings['bots[0].commandLists[0].commands[1].title'] as string, lang), `${tag} talk to a person`).to.equal('human');
        expect(detectCommand(strings['bots[0].commandLists[0].commands[2].title'] as string, lang), `${tag} start again`).to.equal('restart');
      }
    });
  });

  describe('icons', () => {
    it('are a 192×192 colour icon and a 32×32 outline icon with alpha', () => {
      const color = readPngHeader(readFileSync(join(MANIFEST_DIR, 'color.png')));
      expect(color).to.deep.equal({ width: 192, height: 192, bitDepth: 8, colorType: COLOR_TYPE_RGB, interlace: 0 });
      const outline = readPngHeader(readFileSync(join(MANIFEST_DIR, 'outline.png')));
      expect(outline).to.deep.equal({ width: 32, height: 32, bitDepth: 8, colorType: COLOR_TYPE_RGBA, interlace: 0 });
      expect(iconProblems('color.png', readFileSync(join(MANIFEST_DIR, 'color.png')), 'color')).to.deep.equal([]);
      expect(iconProblems('outline.png', readFileSync(join(MANIFEST_DIR, 'outline.png')), 'outline')).to.deep.equal([]);
    });

    it('outline: only white or fully transparent pixels, with both present', () => {
      const { rgba } = decodePng(readFileSync(join(MANIFEST_DIR, 'outline.png')));
      let transparent = 0;
      let opaque = 0;
      for (let i = 0; i < rgba.length; i += 4) {
        const [r, g, b, a] = [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]];
        if (a === 0) transparent++;
        else expect([r, g, b], `pixel ${i / 4}`).to.deep.equal([255, 255, 255]);
        if (a === 255) opaque++;
      }
      expect(transparent).to.be.greaterThan(32 * 32 * 0.4);
      expect(opaque).to.be.greaterThan(32 * 32 * 0.15);
    });

    it('colour: opaque, on the accent colour of the manifest, with a white symbol in the middle', () => {
      const { rgba } = decodePng(readFileSync(join(MANIFEST_DIR, 'color.png')));
      const template = readJson(join(MANIFEST_DIR, 'manifest.json'));
      expect(template.accentColor).to.equal(ACCENT);
      const hex = (i: number): string => `#${[rgba[i], rgba[i + 1], rgba[i + 2]].map((v) => v!.toString(16).padStart(2, '0')).join('')}`.toUpperCase();
      expect(hex(0)).to.equal(ACCENT);
      expect(hex((192 * 192 - 1) * 4)).to.equal(ACCENT);
      expect(
        rgba.filter((v, i) => i % 4 === 3 && v !== 255),
        'translucent pixels',
      ).to.have.length(0);
      expect(inSymbol(0.5, 0.12), 'the top of the arrow is a gap').to.equal(false);
      expect(inSymbol(0.5, 0.92), 'the bottom of the arrow').to.equal(true);
      const bottom = (Math.round(36 + 0.92 * 120) * 192 + 96) * 4;
      expect(hex(bottom)).to.equal('#FFFFFF');
    });

    it('are what manifest/icons.ts draws (regenerate with `node --import tsx manifest/icons.ts`)', () => {
      const files = iconFiles();
      for (const [name, rendered] of [
        ['color.png', renderColorIcon()],
        ['outline.png', renderOutlineIcon()],
      ] as const) {
        const committed = decodePng(readFileSync(join(MANIFEST_DIR, name)));
        const regenerated = decodePng(files[name]);
        expect(Buffer.from(committed.rgba).equals(Buffer.from(regenerated.rgba)), `${name} pixels`).to.equal(true);
        expect(regenerated.width).to.equal(rendered.width);
      }
    });

    it('reports an outline icon without alpha or with colour, and a file that is not a PNG', () => {
      const grey = { width: 32, height: 32, rgba: new Uint8Array(32 * 32 * 4).fill(255) };
      expect(iconProblems('outline.png', encodePng(grey, { alpha: false }), 'outline')).to.deep.equal([
        { path: 'outline.png', message: 'expected a PNG with an alpha channel (transparent background), got colour type 2' },
      ]);
      expect(iconProblems('color.png', encodePng(grey, { alpha: false }), 'color')).to.deep.equal([{ path: 'color.png', message: 'expected 192×192 pixels for the color icon, got 32×32' }]);
      expect(iconProblems('color.png', Buffer.from('GIF89a'), 'color')).to.deep.equal([{ path: 'color.png', message: 'not a PNG file (wrong signature)' }]);
    });
  });

  describe('PNG codec', () => {
    it('checks CRCs', () => {
      const png = readFileSync(join(MANIFEST_DIR, 'outline.png'));
      expect(crc32(Buffer.from('IEND'))).to.equal(0xae426082);
      png[20] = png[20]! ^ 0xff; // inside IHDR's data
      expect(() => readPngHeader(png)).to.throw(PngError, 'bad CRC in PNG chunk IHDR');
    });

    it('reads every filter type', () => {
      const width = 3;
      const height = 5;
      const pixels = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37 + 11) % 256);
      const stride = width * 4;
      const raw: number[] = [];
      const at = (x: number, y: number, c: number): number => (x < 0 || y < 0 ? 0 : pixels[y * stride + x * 4 + c]!);
      const paeth = (a: number, b: number, c: number): number => {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      };
      for (let y = 0; y < height; y++) {
        const filter = y; // 0 none, 1 sub, 2 up, 3 average, 4 paeth
        raw.push(filter);
        for (let x = 0; x < width; x++) {
          for (let c = 0; c < 4; c++) {
            const v = at(x, y, c);
            const [a, b, d] = [at(x - 1, y, c), at(x, y - 1, c), at(x - 1, y - 1, c)];
            const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, d)][filter]!;
            raw.push((v - predicted + 256) % 256);
          }
        }
      }
      const chunk = (type: string, data: Buffer): Buffer => {
        const head = Buffer.alloc(8);
        head.writeUInt32BE(data.length, 0);
        head.write(type, 4, 'latin1');
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])), 0);
        return Buffer.concat([head, data, crc]);
      };
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(width, 0);
      ihdr.writeUInt32BE(height, 4);
      ihdr.set([8, 6, 0, 0, 0], 8);
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from(raw))), chunk('IEND', Buffer.alloc(0))]);
      expect(Buffer.from(decodePng(png).rgba).equals(Buffer.from(pixels))).to.equal(true);
    });
  });
});
