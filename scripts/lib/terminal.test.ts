import { expect } from 'chai';
import { frame } from './terminal.js';

const ESC = '\u001b[';

describe('frame', () => {
  it('draws from the home position, clearing the rest of each line and everything below', () => {
    expect(frame('a\nbb', { columns: 80, rows: 24 })).to.equal(`${ESC}Ha${ESC}K\nbb${ESC}K\n${ESC}J`);
  });

  it('leaves out the lines that do not fit, saying how many, so the terminal never scrolls', () => {
    const text = ['1', '2', '3', '4', '5', '6'].join('\n');
    expect(frame(text, { columns: 80, rows: 4 })).to.equal(`${ESC}H1${ESC}K\n2${ESC}K\n… 4 more lines (enlarge the window)${ESC}K\n${ESC}J`);
  });

  it('cuts lines wider than the terminal with an ellipsis', () => {
    expect(frame('abcdefgh\n▁▂▃▄▅▆', { columns: 5, rows: 10 })).to.equal(`${ESC}Habcd…${ESC}K\n▁▂▃▄…${ESC}K\n${ESC}J`);
  });
});
