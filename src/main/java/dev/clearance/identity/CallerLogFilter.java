package dev.clearance.identity;

import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.order.Ordered;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.security.authentication.Authentication;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Adds who is calling (tenant, user, agent) to the logging context once the token is verified, next
 * to the request id, so every log line of a request can be attributed without ever logging the
 * token itself. Callers whose claims are refused are logged without these fields.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class CallerLogFilter implements Ordered {

    static final String TENANT = "tenant";
    static final String USER = "user";
    static final String AGENT = "agent";

    private final CallerResolver resolver;

    CallerLogFilter(CallerResolver resolver) {
        this.resolver = resolver;
    }

    @RequestFilter
    void attach(HttpRequest<?> request, MutablePropagatedContext context) {
        Optional<Authentication> authentication = request.getUserPrincipal(Authentication.class);
        if (authentication.isEmpty()) {
            return;
        }
        Caller caller;
        try {
            caller = resolver.resolve(authentication.get());
        } catch (InvalidIdentityException e) {
            return;
        }
        Optional<MdcPropagationContext> current = context.getContext().find(MdcPropagationContext.class);
        Map<String, String> state =
                new HashMap<>(current.map(MdcPropagationContext::state).orElse(Map.of()));
        state.put(TENANT, caller.tenant());
        state.put(USER, caller.userId());
        caller.agentId().ifPresent(agent -> state.put(AGENT, agent));
        MdcPropagationContext next = new MdcPropagationContext(state);
        if (current.isPresent()) {
            context.replace(current.get(), next);
        } else {
            context.add(next);
        }
    }

    @Override
    public int getOrder() {
        // After the security filter has verified the token and set the principal.
        return ServerFilterPhase.SECURITY.after();
    }
}
