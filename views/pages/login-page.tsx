import { Layout } from '../layout'

/** The sign-in page: an ordinary form with a password field (works without JavaScript). */
export function LoginPage({ error }: { error?: string }) {
  return (
    <Layout title="Sign in" signedIn={false}>
      <section class="card narrow">
        <h1>Sign in</h1>
        <p class="muted">Enter the dashboard password printed when modelmux first started.</p>
        <form method="post" action="/login">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required autofocus />
          {error ? (
            <p class="error" role="alert" safe>
              {error}
            </p>
          ) : (
            ''
          )}
          <button type="submit">Sign in</button>
        </form>
      </section>
    </Layout>
  )
}
