package dev.gowork.cli.status;

import dev.gowork.cli.text.TerminalText;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain text table: columns padded to their widest cell, two spaces apart; cells over 60 characters are cut,
 * and what a terminal could act on in them is escaped ({@link TerminalText}).
 */
public final class Table {
  private static final int MAX_CELL = 60;
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(List<String> header) {
    this.header = List.copyOf(header);
  }

  /** Adds a row; missing cells are blank, {@code null} prints as {@code -}. */
  public Table row(List<String> cells) {
    List<String> r = new ArrayList<>(header.size());
    for (int i = 0; i < header.size(); i++) {
      String c = i < cells.size() ? cells.get(i) : "";
      c = c == null ? "-" : TerminalText.shown(c.replace('\n', ' '));
      r.add(c.length() > MAX_CELL ? c.substring(0, MAX_CELL - 3) + "..." : c);
    }
    rows.add(r);
    return this;
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** The table as lines, header first, without trailing spaces. */
  public String render() {
    int[] widths = new int[header.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = header.get(i).length();
      for (List<String> r : rows) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    }
    StringBuilder b = new StringBuilder();
    line(b, header, widths);
    rows.forEach(r -> line(b, r, widths));
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells, int[] widths) {
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      l.append(cells.get(i));
      if (i < cells.size() - 1) {
        l.append(" ".repeat(widths[i] - cells.get(i).length() + 2));
      }
    }
    b.append(l.toString().stripTrailing()).append('\n');
  }
}
