/** Numbers the whole BERT app agrees on. */

/** The `[PAD]` id: padding in inputs, "not masked" in MLM labels. The vocabulary must have `[PAD]` first. */
export const PAD_IDX = 0;

/** Longest sequence the course model takes: rows of its positional table (`PositionalEncoding(maxlen=5000)`). */
export const MAX_POSITIONS = 5000;

/** The columns of the course's CSV, as it names them. */
export const BERT_CSV_COLUMNS = ['BERT Input', 'BERT Label', 'Segment Label', 'Is Next'] as const;
