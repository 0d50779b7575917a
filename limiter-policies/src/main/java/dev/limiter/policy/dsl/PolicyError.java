package dev.limiter.policy.dsl;

/**
 * One error in a policy file, at a 1-based line and column, rendered as
 * {@code file:line:column: message}, the offending line and a caret under the column.
 *
 * @param file the file name as given to the parser
 * @param line the 1-based line
 * @param column the 1-based column, counted in characters
 * @param message what was expected and what was found, or what is wrong
 * @param lineText the text of the offending line, without its line terminator
 */
public record PolicyError(String file, int line, int column, String message, String lineText) {

    /** @return the first line of the rendering: {@code file:line:column: message} */
    public String summary() {
        return file + ":" + line + ":" + column + ": " + message;
    }

    /** @return the summary, the offending line (tabs kept) and a caret under the column */
    public String render() {
        StringBuilder caret = new StringBuilder();
        for (int i = 0; i < column - 1 && i < lineText.length(); i++) {
            caret.append(lineText.charAt(i) == '\t' ? '\t' : ' ');
        }
        for (int i = lineText.length(); i < column - 1; i++) {
            caret.append(' ');
        }
        return summary() + "\n" + lineText + "\n" + caret.append('^');
    }

    @Override
    public String toString() {
        return render();
    }
}
