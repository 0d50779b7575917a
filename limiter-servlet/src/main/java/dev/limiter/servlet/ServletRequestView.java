package dev.limiter.servlet;

import dev.limiter.policy.RequestView;
import jakarta.servlet.http.HttpServletRequest;

/**
 * A {@link RequestView} that reads a bound {@link HttpServletRequest} in place, without copying:
 * the raw request target ({@code getRequestURI()}, still percent-encoded, plus {@code ?} and the raw
 * query string), headers, the remote address and request attributes.
 *
 * <p>The path is {@link HttpServletRequest#getRequestURI()}, never the decoded
 * {@code getServletPath()}/{@code getPathInfo()}: the gate canonicalises the target itself, so a
 * spelling the container would decode differently cannot cost less. A target that starts with
 * {@code //} is a path (the container has already taken any authority of an absolute-form target
 * away). An attribute is the request attribute of the same name: a {@link CharSequence} as is,
 * another object as its {@code toString()}. Not thread-safe: bind it to one request at a time.
 */
public final class ServletRequestView implements RequestView {
    private final RequestTarget target = new RequestTarget();
    private HttpServletRequest request;

    /** Creates an unbound view. */
    public ServletRequestView() {
    }

    /**
     * Reads {@code request} until the next {@link #bind} or {@link #unbind()}.
     *
     * @return this view
     */
    public ServletRequestView bind(HttpServletRequest request) {
        this.request = request;
        String uri = request.getRequestURI();
        target.bind(uri == null ? "" : uri, request.getQueryString());
        return this;
    }

    /** Drops the reference to the bound request, so that a pooled view keeps no request alive. */
    public void unbind() {
        this.request = null;
        target.bind("", null);
    }

    @Override
    public CharSequence method() {
        return request.getMethod();
    }

    @Override
    public CharSequence path() {
        return target.query == null ? target.path : target;
    }

    @Override
    public CharSequence header(String name) {
        return request.getHeader(name);
    }

    @Override
    public CharSequence clientAddress() {
        return request.getRemoteAddr();
    }

    @Override
    public CharSequence attribute(String name) {
        Object value = request.getAttribute(name);
        if (value == null || value instanceof CharSequence) {
            return (CharSequence) value;
        }
        return value.toString();
    }

    @Override
    public String toString() {
        return request == null ? "ServletRequestView[unbound]" : "ServletRequestView[" + request.getMethod() + " " + target + "]";
    }

    /** The raw path and query read as one request target, {@code path?query}, without joining them. */
    static final class RequestTarget implements CharSequence {
        private String path = "";
        private String query;

        void bind(String path, String query) {
            this.path = path;
            this.query = query;
        }

        @Override
        public int length() {
            return query == null ? path.length() : path.length() + 1 + query.length();
        }

        @Override
        public char charAt(int index) {
            int p = path.length();
            if (index < p) {
                return path.charAt(index);
            }
            if (index == p && query != null) {
                return '?';
            }
            if (query == null || index < 0) {
                throw new IndexOutOfBoundsException("index " + index + ", length " + length());
            }
            return query.charAt(index - p - 1);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return toString().substring(start, end);
        }

        @Override
        public String toString() {
            return query == null ? path : path + '?' + query;
        }
    }
}
