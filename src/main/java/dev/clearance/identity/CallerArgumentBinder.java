package dev.clearance.identity;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Singleton;
import java.util.Optional;

/** Lets controllers declare a {@link Caller} parameter instead of reading claims themselves. */
@Singleton
final class CallerArgumentBinder implements TypedRequestArgumentBinder<Caller> {

    private final CallerResolver resolver;

    CallerArgumentBinder(CallerResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Argument<Caller> argumentType() {
        return Argument.of(Caller.class);
    }

    @Override
    public BindingResult<Caller> bind(ArgumentConversionContext<Caller> context, HttpRequest<?> source) {
        Optional<Authentication> authentication = source.getUserPrincipal(Authentication.class);
        if (authentication.isEmpty()) {
            return BindingResult.unsatisfied();
        }
        Caller caller = resolver.resolve(authentication.get());
        return () -> Optional.of(caller);
    }
}
