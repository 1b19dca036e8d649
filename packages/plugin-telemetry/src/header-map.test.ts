// Header mapping decides which CSV field fills which column: a wrong match silently puts one sensor's values
// in another's column, so matches, refusals, duplicates and the timestamp index are pinned here.
import { describe, expect, it } from 'vitest';
import { mapHeader, normalizeHeader } from './header-map.js';
import { SAMPLE_COLUMNS } from './schema.js';

describe('normalizeHeader', () => {
  it('lower-cases and keeps only letters and digits', () => {
    expect(normalizeHeader('T1_Feed')).toBe('t1feed');
    expect(normalizeHeader(' t1 feed ')).toBe('t1feed');
    expect(normalizeHeader('T1-FEED')).toBe('t1feed');
    expect(normalizeHeader('Pwr_Z1_%')).toBe('pwrz1');
    expect(normalizeHeader('Zone 2 (°C)')).toBe('zone2c');
  });
});

describe('mapHeader', () => {
  it("maps the logger's own header field by field", () => {
    const m = mapHeader([
      'Timestamp',
      'T1_Feed',
      'T2_Mid',
      'T3_Nozzle',
      'T_Motor',
      'Target_Z1',
      'Target_Z2',
      'Pwr_Z1_%',
      'Pwr_Z2_%',
      'RPM_Main',
      'RPM_Feed',
    ]);
    expect(m.byIndex).toEqual(['recorded_at', ...SAMPLE_COLUMNS]);
    expect(m.missing).toEqual([]);
    expect(m.unmapped).toEqual([]);
    expect(m.timestampIndex).toBe(0);
    expect(m.fieldCount).toBe(11);
    expect(m.mapped).toMatchObject({
      recorded_at: 'Timestamp',
      t1_feed: 'T1_Feed',
      pwr_z2_pct: 'Pwr_Z2_%',
      rpm_feed: 'RPM_Feed',
    });
  });

  it('matches column names and aliases in any order and spelling; reports the rest', () => {
    const m = mapHeader(['rpm', 'Operator', 'feed temp', 'DATE', 't_motor', 'Z2 Power']);
    expect(m.byIndex).toEqual(['rpm_main', null, 't1_feed', 'recorded_at', 't_motor', 'pwr_z2_pct']);
    expect(m.timestampIndex).toBe(3);
    expect(m.fieldCount).toBe(6);
    expect(m.unmapped).toEqual(['Operator']);
    expect(m.mapped).toEqual({
      rpm_main: 'rpm',
      t1_feed: 'feed temp',
      recorded_at: 'DATE',
      t_motor: 't_motor',
      pwr_z2_pct: 'Z2 Power',
    });
    expect(m.missing).toEqual(['t2_mid', 't3_nozzle', 'target_z1', 'target_z2', 'pwr_z1_pct', 'rpm_feed']);
  });

  it('a second field for a column already taken is unmapped, not a second source for it', () => {
    const m = mapHeader(['time', 'T1', 'T1_Feed', 'timestamp']);
    expect(m.byIndex).toEqual(['recorded_at', 't1_feed', null, null]);
    expect(m.unmapped).toEqual(['T1_Feed', 'timestamp']);
    expect(m.mapped).toEqual({ recorded_at: 'time', t1_feed: 'T1' });
    expect(m.timestampIndex).toBe(0);
  });

  it('no timestamp field: index -1; an empty header maps nothing', () => {
    expect(mapHeader(['T1', 'T2']).timestampIndex).toBe(-1);
    const empty = mapHeader([]);
    expect(empty).toEqual({
      byIndex: [],
      mapped: {},
      missing: [...SAMPLE_COLUMNS],
      unmapped: [],
      timestampIndex: -1,
      fieldCount: 0,
    });
  });

  it('extra aliases are normalized like headers, and never take a spelling a built-in column already has', () => {
    const m = mapHeader(['When', 'Barrel Temp #1', 'RPM', 'nozzle'], {
      recorded_at: ['WHEN'],
      t1_feed: ['barrel-temp 1'],
      t3_nozzle: ['Nozzle'],
      rpm_feed: ['rpm'],
    });
    expect(m.byIndex).toEqual(['recorded_at', 't1_feed', 'rpm_main', 't3_nozzle']);
    expect(m.unmapped).toEqual([]);
  });

  it('an alias is not a prefix or substring match', () => {
    const m = mapHeader(['timestamps', 't1feedx', 'xrpm']);
    expect(m.byIndex).toEqual([null, null, null]);
    expect(m.unmapped).toEqual(['timestamps', 't1feedx', 'xrpm']);
  });
});

describe('every accepted header spelling (the README lists them: dropping one breaks loggers that write it)', () => {
  const spellings: Record<string, string[]> = {
    recorded_at: ['Recorded_At', 'Timestamp', 'Time', 'DateTime', 'TS', 'Date'],
    t1_feed: ['T1_Feed', 'T1', 'T_Feed', 'Feed Temp', 'T1 Feed (C)'],
    t2_mid: ['T2_Mid', 'T2', 'T_Mid', 'Mid Temp', 'T2 Mid (C)'],
    t3_nozzle: ['T3_Nozzle', 'T3', 'T_Nozzle', 'Nozzle Temp', 'T3 Nozzle (C)'],
    t_motor: ['T_Motor', 'Motor Temp', 'T Motor (C)'],
    target_z1: ['Target_Z1', 'Targ_Z1', 'Setpoint_Z1', 'Z1_Target', 'T_Z1_Target', 'Target_Temp_Z1'],
    target_z2: ['Target_Z2', 'Targ_Z2', 'Setpoint_Z2', 'Z2_Target', 'T_Z2_Target', 'Target_Temp_Z2'],
    pwr_z1_pct: ['Pwr_Z1_%', 'Pwr_Z1_Pct', 'Power_Z1', 'Power_Z1_Pct', 'Z1_Power', 'Z1_Pwr'],
    pwr_z2_pct: ['Pwr_Z2_%', 'Pwr_Z2_Pct', 'Power_Z2', 'Power_Z2_Pct', 'Z2_Power', 'Z2_Pwr'],
    rpm_main: ['RPM_Main', 'RPM', 'Main_RPM', 'Screw_RPM'],
    rpm_feed: ['RPM_Feed', 'Feed_RPM', 'Feeder_RPM'],
  };
  for (const [column, names] of Object.entries(spellings)) {
    it(column, () => {
      for (const name of names) expect(mapHeader([name]).byIndex, name).toEqual([column]);
    });
  }
});
